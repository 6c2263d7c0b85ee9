/**
 * Certificate-authenticated, end-to-end encrypted messaging on top of natm's OverlayLink
 * (the seam gossip uses). Every app payload travels inside a SecureLinks session (Noise
 * XX + certificates, secure-links.ts) between the two nodes themselves, so a bridge or
 * relay, even one holding natm's cluster key, forwards bytes it can neither read nor
 * alter. A payload is delivered only when the sender proved, with its certificate, the
 * very node id natm reports; a revoked node's sessions end at once and its handshakes
 * fail, and natm (setBanned/forget) stops taking, answering and forwarding its packets.
 * The "path" for SecureLinks is natm's peer id (the paper's abstracted sender: the
 * cookie binds to it, not to an IP address).
 *
 * Same contract as OverlayLink: `send` never throws and returns false for no path or an
 * oversize payload; handlers run synchronously and their throws are counted.
 *
 * Membership: `peers()` and `onPeerChange` show only peers that proved their certificate
 * in a session (and are not revoked), so gossip never lists a node without a valid
 * certificate of this cluster. `connect()` opens a session with every natm peer not yet
 * proven (an empty payload, swallowed on arrival); natm's peer changes call it per peer.
 *
 * Renewal: `setCertificate` swaps this node's certificate (checked by SecureLinks) and
 * re-handshakes every session, so peers see the renewed certificate at once.
 *
 * State records: `records` signs this node's fleet-view records with its certificate key
 * and checks the others' (record-signer.ts); gossip takes it as its RecordAuth.
 */
import { ConfigError } from '../common/errors.ts';
import { MAX_APP_PAYLOAD, type OverlayLink, type PeerView } from '../net/overlay-link.ts';
import { decodeCertificate } from './certificate.ts';
import { TAGLEN } from './noise-crypto.ts';
import { SecureLinks, type SecureLinksComponents, type SecureLinksInit } from './secure-links.ts';
import { RecordSigner } from './record-signer.ts';
import { DATA_HEADER } from './wire.ts';

export interface SecureOverlayComponents extends SecureLinksComponents {
  /** The transport: a NatmNode (or anything with the OverlayLink contract). */
  readonly link: OverlayLink;
}

/** Who this node is and whom it trusts (SecureLinks' bounds keep their defaults). */
export interface SecureOverlayInit extends Pick<SecureLinksInit, 'identity' | 'ca' | 'cluster'> {
  /** The node's Ed25519 key (libsodium's 64-byte secret) that its certificate names: signs its state records. */
  readonly signKey: Uint8Array;
}

export class SecureOverlay implements OverlayLink {
  readonly selfId: string;
  readonly links: SecureLinks;
  /** Signs this node's state records, checks the others' (gossip's RecordAuth). */
  readonly records: RecordSigner;
  readonly counters = new Map<string, number>();
  readonly #c: SecureOverlayComponents;
  readonly #handlers: Array<(peerId: string, payload: Uint8Array) => void> = [];
  readonly #peerHandlers: Array<(peer: PeerView) => void> = [];
  /** Peers that completed a handshake proving the node id natm reports for them. */
  readonly #proven = new Set<string>();
  /** Largest payload `send` accepts (gossip sizes its packets by it): the link's, less DATA header and tag. */
  readonly maxPayload: number;

  constructor(components: SecureOverlayComponents, init: SecureOverlayInit) {
    this.#c = components;
    const ownCert = decodeCertificate(init.identity.cert);
    const own = ownCert.nodeId;
    if (own !== components.link.selfId)
      throw new ConfigError(`natm id "${components.link.selfId}" must be the certificate's node id ${own}`);
    this.selfId = own;
    this.maxPayload = (components.link.maxPayload ?? MAX_APP_PAYLOAD) - DATA_HEADER - TAGLEN;
    this.links = new SecureLinks(components, init);
    this.records = new RecordSigner(
      { certOf: (id) => this.links.peerCertificate(id), isRevoked: components.revocation.isRevoked },
      { cluster: init.cluster, signKey: init.signKey },
    );
    if (!Buffer.from(ownCert.signKey).equals(Buffer.from(this.records.publicKey)))
      throw new ConfigError(`the signing key is not the one certificate ${own} names`);
    components.link.onMessage((peerId, bytes) => this.#receive(peerId, bytes));
    components.link.onPeerChange((p) => this.#natmPeer(p));
    // The transport (natm) refuses revoked nodes too, so they cost no answers, punches or
    // forwarding, and forgets what it held for one the moment it is revoked.
    components.link.setBanned?.(components.revocation.isRevoked);
    // Proven peers come first in natm's peer book; outsiders never displace them.
    components.link.setProven?.((id) => this.isProven(id));
    components.revocation.onRevoked((id) => {
      this.#proven.delete(id);
      components.link.forget?.(id);
    });
  }

  /** Starts a handshake with every natm peer that has a path and no proven session yet. */
  connect(): number {
    let n = 0;
    for (const p of this.#c.link.peers()) if (this.#hello(p)) n++;
    return n;
  }

  /**
   * Presents a renewed certificate from now on and re-handshakes every session with it;
   * a refused one (SecureLinks.setCertificate says why) leaves everything as it was.
   */
  setCertificate(raw: Uint8Array): ReturnType<SecureLinks['setCertificate']> {
    const r = this.links.setCertificate(raw);
    if (!r.ok) {
      this.#count(`cert_refused_${r.error.code.toLowerCase()}`);
      return r;
    }
    this.#count('cert_swapped');
    for (const { path, packet } of this.links.rehandshake()) this.#c.link.send(path, packet);
    return r;
  }

  /** A session with `peerId` is up, its certificate proven, unexpired and not revoked. */
  isProven(peerId: string): boolean {
    return (
      this.#proven.has(peerId) &&
      this.links.peerOn(peerId) === peerId &&
      !this.#c.revocation.isRevoked(peerId)
    );
  }

  send(peerId: string, payload: Uint8Array): boolean {
    try {
      if (payload.length > this.maxPayload) return this.#count('send_oversized', false);
      if (this.#c.revocation.isRevoked(peerId)) return this.#count('send_revoked', false);
      const out = this.links.send(peerId, payload, peerId);
      for (const p of out) if (!this.#c.link.send(peerId, p)) return this.#count('send_no_path', false);
      return true;
    } catch {
      return this.#count('send_error', false);
    }
  }

  onMessage(handler: (peerId: string, payload: Uint8Array) => void): void {
    this.#handlers.push(handler);
  }

  /** natm's peers that proved a certificate of this cluster, less the revoked ones. */
  peers(): readonly PeerView[] {
    return this.#c.link.peers().filter((p) => this.isProven(p.id));
  }

  onPeerChange(handler: (peer: PeerView) => void): void {
    this.#peerHandlers.push(handler);
  }

  #natmPeer(p: PeerView): void {
    if (this.isProven(p.id)) this.#firePeer(p);
    else this.#hello(p);
  }

  #hello(p: PeerView): boolean {
    if (p.path === null || p.id === this.selfId || this.isProven(p.id)) return false;
    if (this.#c.revocation.isRevoked(p.id)) return false;
    return this.send(p.id, new Uint8Array(0));
  }

  #firePeer(p: PeerView): void {
    for (const h of this.#peerHandlers) {
      try {
        h(p);
      } catch {
        this.#count('peer_handler_error');
      }
    }
  }

  #receive(peerId: string, bytes: Uint8Array): void {
    const r = this.links.receive(peerId, bytes);
    for (const p of r.send) this.#c.link.send(peerId, p);
    if (r.dropped) this.#count(`drop_${r.dropped.code.toLowerCase()}`);
    if (r.established !== undefined) {
      if (r.established !== peerId) this.#count('drop_sender_mismatch');
      else if (!this.#proven.has(peerId)) {
        this.#proven.add(peerId);
        const view = this.#c.link.peers().find((p) => p.id === peerId);
        this.#firePeer(view ?? { id: peerId, path: null, lastSeen: this.#c.clock.now() });
      }
    }
    for (const d of r.deliver) {
      // natm's claimed sender must be the node that proved itself in the handshake.
      if (d.peerId !== peerId) {
        this.#count('drop_sender_mismatch');
        continue;
      }
      if (d.payload.length === 0) {
        this.#count('hello');
        continue;
      }
      this.#count('delivered');
      for (const h of this.#handlers) {
        try {
          h(d.peerId, d.payload);
        } catch {
          this.#count('app_handler_error');
        }
      }
    }
  }

  #count(name: string, ret?: boolean): boolean {
    this.counters.set(name, (this.counters.get(name) ?? 0) + 1);
    return ret ?? true;
  }
}
