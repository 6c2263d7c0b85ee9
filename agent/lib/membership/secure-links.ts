/**
 * Authenticated, encrypted links to peers, keyed by path (an opaque address string the
 * transport gives: "198.18.0.7:4000", "relay:ID"...). This is what replaces the shared
 * cluster key in natm: the transport hands every received datagram to `receive` and
 * sends what it returns; the app calls `send`. Pure apart from libsodium; never throws.
 *
 * - Unknown path + app payload → HS1 (payloads wait in a bounded queue).
 * - HS1 → stateless cookie gate (cookie.ts), then a Responder; HS2/HS3 → handshake.ts.
 * - DATA → the path's session; the peer's certificate must still be unexpired and not
 *   revoked, else the session is dropped.
 * - A revoked node (RevocationState listener) loses every session and handshake at once.
 * - Loss: `send` during a handshake repeats our last handshake packet (at most every
 *   `retryMs`); a repeated HS1 gets the same HS2; HS3 rides with the first DATA packets
 *   until the responder's first DATA confirms the session.
 * - Renewal: `setCertificate` swaps this node's own certificate (same keys and node id,
 *   checked) for new handshakes; `rehandshake` then opens a new session on every path, so
 *   peers hold the renewed certificate long before the old one expires.
 * Bounds: `maxPeers` sessions + handshakes, `maxQueued` payloads per pending handshake.
 */
import type { Clock } from '../common/clock.ts';
import { decodeCertificate, verifyCertificate, type CertAuthority, type NodeCert } from './certificate.ts';
import { CookieJar } from './cookie.ts';
import { LinkError, MembershipError } from './errors.ts';
import { admit, Initiator, Responder, type LinkIdentity, type Step } from './handshake.ts';
import type { RevocationState } from './revocation-state.ts';
import { sessionIdOf, type TransportSession } from './session.ts';
import { MAX_PACKET, packetType, T_COOKIE, T_DATA, T_HS1, T_HS2, T_HS3 } from './wire.ts';

export interface SecureLinksComponents {
  readonly clock: Pick<Clock, 'now'>;
  readonly random: (n: number) => Uint8Array;
  readonly revocation: RevocationState;
}

export interface SecureLinksInit {
  readonly identity: LinkIdentity;
  readonly ca: CertAuthority;
  readonly cluster: string;
  readonly maxPeers?: number;
  readonly maxQueued?: number;
  readonly handshakeTimeoutMs?: number;
  /** A pending handshake repeats its last packet on the next `send` after this long. */
  readonly retryMs?: number;
}

export interface Received {
  /** Packets to send back on the same path. */
  readonly send: Uint8Array[];
  /** An authenticated app payload and the proven node id of its sender. */
  readonly deliver: readonly Delivery[];
  /** Why the packet was dropped, for counters and debug logs. */
  readonly dropped?: LinkError | MembershipError;
  /** Set when a handshake completed on this packet. */
  readonly established?: string;
}

export interface Delivery {
  readonly peerId: string;
  readonly payload: Uint8Array;
}

interface Pending<H> {
  readonly hs: H;
  readonly started: number;
  /** Initiator: app payloads waiting; responder: DATA that overtook a lost HS3. */
  readonly queue: Uint8Array[];
  readonly expectPeer?: string;
  /** The last handshake packet we sent for it, repeated on loss. */
  last: Uint8Array;
  lastSent: number;
  /** Responder: hex of the initiator's ephemeral key, to answer a repeated HS1 alike. */
  readonly re?: string;
}

/** Initiator side: HS3 rides along with the first DATA packets until the peer answers. */
interface Unconfirmed {
  readonly sid: string;
  readonly hs3: Uint8Array;
  left: number;
}

export class SecureLinks {
  readonly #c: SecureLinksComponents;
  readonly #i: Required<SecureLinksInit>;
  readonly #jar: CookieJar;
  /** Per path, newest first, at most 2 (the previous one keeps working until it ages out). */
  readonly #sessions = new Map<string, TransportSession[]>();
  /** Handshakes we started and ones a peer started, apart, so simultaneous opens both work. */
  readonly #out = new Map<string, Pending<Initiator>>();
  readonly #in = new Map<string, Pending<Responder>>();
  readonly #unconfirmed = new Map<string, Unconfirmed>();
  readonly counters = { dropped: 0, delivered: 0, established: 0, revokedDrops: 0 };
  /** What new handshakes present; swapped by `setCertificate`. */
  #identity: LinkIdentity;
  #own: NodeCert;

  constructor(components: SecureLinksComponents, init: SecureLinksInit) {
    this.#c = components;
    this.#i = { maxPeers: 1024, maxQueued: 16, handshakeTimeoutMs: 10_000, retryMs: 1000, ...init };
    this.#identity = init.identity;
    this.#own = decodeCertificate(init.identity.cert);
    this.#jar = new CookieJar(components);
    components.revocation.onRevoked((id) => this.dropNode(id));
  }

  /** The node id proven on `path`, if a session is up and its peer still valid (not expired, not revoked). */
  peerOn(path: string): string | undefined {
    const s = this.#sessions.get(path)?.[0];
    return s && this.#alive(path, s) ? s.peer.nodeId : undefined;
  }

  /** The certificate the peer on `path` presented in the session in use, if one is up. */
  peerCertificate(path: string): NodeCert | undefined {
    const s = this.#sessions.get(path)?.[0];
    return s && this.#alive(path, s) ? s.peer : undefined;
  }

  paths(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Packets to put on `path` for `payload`: DATA if a session is up, else HS1 (payload queued). */
  send(path: string, payload: Uint8Array, expectPeer?: string): Uint8Array[] {
    const s = this.#sessions.get(path)?.[0];
    if (s && this.#alive(path, s)) {
      const u = this.#unconfirmed.get(path);
      if (u && u.sid === s.id && u.left-- > 0) return [u.hs3, s.seal(payload)];
      return [s.seal(payload)];
    }
    const now = this.#c.clock.now();
    const p = this.#out.get(path);
    if (p && now - p.started < this.#i.handshakeTimeoutMs) {
      if (p.queue.length < this.#i.maxQueued) p.queue.push(payload);
      if (now - p.lastSent < this.#i.retryMs) return [];
      p.lastSent = now;
      return [p.last];
    }
    if (!this.#room()) return [];
    const hs = new Initiator(this.#c, { identity: this.#identity, checkPeer: this.#check, expectPeer });
    const last = hs.hello();
    this.#out.set(path, { hs, started: now, queue: [payload], expectPeer, last, lastSent: now });
    return [last];
  }

  receive(path: string, pkt: Uint8Array): Received {
    if (pkt.length === 0 || pkt.length > MAX_PACKET)
      return this.#drop(new LinkError('MALFORMED', `packet of ${pkt.length} bytes`));
    switch (packetType(pkt)) {
      case T_DATA:
        return this.#data(path, pkt);
      case T_HS1: {
        const gate = admit(this.#jar, path, pkt);
        if (!gate.admit) return { send: gate.reply ? [gate.reply] : [], deliver: [] };
        const re = Buffer.from(pkt.subarray(pkt.length - 32)).toString('hex');
        const seen = this.#in.get(path);
        if (seen?.re === re) return { send: [seen.last], deliver: [] }; // our HS2 was lost: same answer
        if (!this.#room()) return this.#drop(new LinkError('UNEXPECTED', 'no room for another handshake'));
        const hs = new Responder(this.#c, { identity: this.#identity, checkPeer: this.#check });
        const step = hs.receive(pkt);
        const now = this.#c.clock.now();
        if (step.ok && step.send)
          this.#in.set(path, { hs, started: now, queue: [], last: step.send, lastSent: now, re });
        return this.#step(path, step, this.#in);
      }
      case T_COOKIE:
      case T_HS2:
      case T_HS3: {
        const table = packetType(pkt) === T_HS3 ? this.#in : this.#out;
        const p = table.get(path);
        if (!p && packetType(pkt) === T_HS3 && this.#sessions.has(path)) return { send: [], deliver: [] }; // repeated HS3
        if (!p) return this.#drop(new LinkError('UNEXPECTED', 'handshake packet without a handshake'));
        return this.#step(path, p.hs.receive(pkt), table);
      }
      default:
        return this.#drop(new LinkError('MALFORMED', `unknown packet type ${pkt[0]}`));
    }
  }

  /** This node's certificate (raw) and X25519 key, as presented in new handshakes. */
  get identity(): LinkIdentity {
    return this.#identity;
  }

  /** This node's own certificate, as presented in new handshakes. */
  get certificate(): NodeCert {
    return this.#own;
  }

  /**
   * Presents `raw` in new handshakes from now on, if it verifies against the CA, is valid
   * now, not revoked, names this node's node id and X25519 key, and is not older than the
   * one in use; else keeps the old one and says why. Sessions up stay up.
   */
  setCertificate(
    raw: Uint8Array,
  ): { ok: true; cert: NodeCert } | { ok: false; error: MembershipError | LinkError } {
    let cert: NodeCert;
    try {
      cert = this.#check(raw);
    } catch (e) {
      return {
        ok: false,
        error: e instanceof MembershipError ? e : new MembershipError('MALFORMED', String(e)),
      };
    }
    const kx = this.#identity.kx.publicKey;
    if (cert.nodeId !== this.#own.nodeId || !Buffer.from(cert.kxKey).equals(Buffer.from(kx)))
      return {
        ok: false,
        error: new LinkError('KEY_MISMATCH', `certificate of ${cert.nodeId} does not name this node's keys`),
      };
    if (cert.issuedAt < this.#own.issuedAt)
      return {
        ok: false,
        error: new MembershipError(
          'STALE_CERT',
          `certificate issued at ${cert.issuedAt} is older than the one in use`,
        ),
      };
    this.#identity = { cert: raw, kx: this.#identity.kx };
    this.#own = cert;
    return { ok: true, cert };
  }

  /**
   * Starts a new handshake (HS1 per path) with the peer of every live session that has none
   * pending, so it gets our current certificate; the old session keeps working meanwhile.
   */
  rehandshake(): { path: string; packet: Uint8Array }[] {
    const out: { path: string; packet: Uint8Array }[] = [];
    const now = this.#c.clock.now();
    for (const [path, list] of this.#sessions) {
      const s = list[0];
      const pending = this.#out.get(path);
      if (!s || (pending && now - pending.started < this.#i.handshakeTimeoutMs) || !this.#alive(path, s))
        continue;
      const expectPeer = s.peer.nodeId;
      const hs = new Initiator(this.#c, { identity: this.#identity, checkPeer: this.#check, expectPeer });
      const last = hs.hello();
      this.#out.set(path, { hs, started: now, queue: [], expectPeer, last, lastSent: now });
      out.push({ path, packet: last });
    }
    return out;
  }

  /** Forgets every session and handshake with `nodeId` (on revocation). */
  dropNode(nodeId: string): number {
    let n = 0;
    for (const [path, list] of this.#sessions)
      if (list.some((s) => s.peer.nodeId === nodeId)) {
        this.#sessions.delete(path);
        this.#unconfirmed.delete(path);
        n++;
      }
    for (const [path, p] of this.#out) if (p.expectPeer === nodeId) this.#out.delete(path);
    this.counters.revokedDrops += n;
    return n;
  }

  #check = (cert: Uint8Array) =>
    verifyCertificate(cert, {
      ca: this.#i.ca,
      cluster: this.#i.cluster,
      now: this.#c.clock.now(),
      isRevoked: this.#c.revocation.isRevoked,
    });

  #step(path: string, step: Step, table: Map<string, Pending<Initiator | Responder>>): Received {
    if (!step.ok) {
      // A forged or corrupted packet must not end an honest handshake; a refused peer does.
      const transient = ['BAD_COOKIE', 'DECRYPT_FAILED', 'MALFORMED'].includes(step.error.code);
      if (!transient) table.delete(path);
      return this.#drop(step.error);
    }
    const send = step.send ? [step.send] : [];
    const pending = table.get(path);
    if (!step.session) {
      if (pending && step.send) [pending.last, pending.lastSent] = [step.send, this.#c.clock.now()];
      return { send, deliver: [] };
    }
    if (step.send) this.#unconfirmed.set(path, { sid: step.session.id, hs3: step.send, left: 3 });
    const queued = this.#out.get(path)?.queue ?? [];
    table.delete(path);
    this.#out.delete(path);
    const peer = step.session.peer.nodeId;
    const older = (this.#sessions.get(path) ?? []).filter((x) => x.peer.nodeId === peer).slice(0, 1);
    this.#sessions.set(path, [step.session, ...older]);
    this.counters.established++;
    for (const q of queued) send.push(step.session.seal(q));
    const early = table === this.#in ? (pending?.queue ?? []) : [];
    const deliver = early.flatMap((pkt) => this.#data(path, pkt).deliver);
    return { send, deliver, established: step.session.peer.nodeId };
  }

  #data(path: string, pkt: Uint8Array): Received {
    const sid = sessionIdOf(pkt);
    const s = this.#sessions.get(path)?.find((x) => x.id === sid);
    if (!s) {
      const p = this.#in.get(path);
      if (p && p.queue.length < this.#i.maxQueued) {
        p.queue.push(pkt); // overtook (or outlived a lost) HS3: open it once HS3 arrives
        return { send: [], deliver: [] };
      }
      return this.#drop(new LinkError('UNEXPECTED', `DATA on ${path} for no session of ours`));
    }
    if (!this.#alive(path, s)) {
      const revoked = this.#c.revocation.isRevoked(s.peer.nodeId);
      const why = revoked ? 'the node is revoked' : 'its certificate expired';
      return this.#drop(
        new MembershipError(revoked ? 'REVOKED' : 'EXPIRED', `session with ${s.peer.nodeId} ended: ${why}`),
      );
    }
    const r = s.open(pkt);
    if (!r.ok) return this.#drop(r.error);
    if (this.#unconfirmed.get(path)?.sid === s.id) this.#unconfirmed.delete(path);
    this.counters.delivered++;
    return { send: [], deliver: [{ peerId: s.peer.nodeId, payload: r.plaintext }] };
  }

  /**
   * A session lives while its peer is neither revoked nor expired. A dead one is forgotten,
   * not its newer sibling (a late packet on a peer's pre-renewal session ends only that one).
   */
  #alive(path: string, s: TransportSession): boolean {
    const ok = !this.#c.revocation.isRevoked(s.peer.nodeId) && s.peer.expires * 1000 > this.#c.clock.now();
    if (ok) return true;
    const rest = (this.#sessions.get(path) ?? []).filter((x) => x !== s);
    if (rest.length > 0) this.#sessions.set(path, rest);
    else this.#sessions.delete(path);
    return false;
  }

  #room(): boolean {
    const now = this.#c.clock.now();
    for (const t of [this.#out, this.#in] as Map<string, Pending<unknown>>[])
      for (const [k, p] of t) if (now - p.started >= this.#i.handshakeTimeoutMs) t.delete(k);
    return this.#sessions.size + this.#out.size + this.#in.size < this.#i.maxPeers;
  }

  #drop(e: LinkError | MembershipError): Received {
    this.counters.dropped++;
    return { send: [], deliver: [], dropped: e };
  }
}
