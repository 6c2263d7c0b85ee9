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
 * Bounds: `maxPeers` sessions + handshakes, `maxQueued` payloads per pending handshake.
 */
import type { Clock } from '../common/clock.ts';
import { verifyCertificate, type CertAuthority } from './certificate.ts';
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
}

export interface Received {
  /** Packets to send back on the same path. */
  readonly send: Uint8Array[];
  /** An authenticated app payload and the proven node id of its sender. */
  readonly deliver?: { readonly peerId: string; readonly payload: Uint8Array };
  /** Why the packet was dropped, for counters and debug logs. */
  readonly dropped?: LinkError | MembershipError;
  /** Set when a handshake completed on this packet. */
  readonly established?: string;
}

interface Pending<H> {
  readonly hs: H;
  readonly started: number;
  readonly queue: Uint8Array[];
  readonly expectPeer?: string;
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
  readonly counters = { dropped: 0, delivered: 0, established: 0, revokedDrops: 0 };

  constructor(components: SecureLinksComponents, init: SecureLinksInit) {
    this.#c = components;
    this.#i = { maxPeers: 1024, maxQueued: 16, handshakeTimeoutMs: 10_000, ...init };
    this.#jar = new CookieJar(components);
    components.revocation.onRevoked((id) => this.dropNode(id));
  }

  /** The node id proven on `path`, if a session is up. */
  peerOn(path: string): string | undefined {
    return this.#sessions.get(path)?.[0]?.peer.nodeId;
  }

  paths(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Packets to put on `path` for `payload`: DATA if a session is up, else HS1 (payload queued). */
  send(path: string, payload: Uint8Array, expectPeer?: string): Uint8Array[] {
    const s = this.#sessions.get(path)?.[0];
    if (s && this.#alive(path, s)) return [s.seal(payload)];
    const now = this.#c.clock.now();
    const p = this.#out.get(path);
    if (p && now - p.started < this.#i.handshakeTimeoutMs) {
      if (p.queue.length < this.#i.maxQueued) p.queue.push(payload);
      return [];
    }
    if (!this.#room()) return [];
    const hs = new Initiator(this.#c, { identity: this.#i.identity, checkPeer: this.#check, expectPeer });
    this.#out.set(path, { hs, started: now, queue: [payload], expectPeer });
    return [hs.hello()];
  }

  receive(path: string, pkt: Uint8Array): Received {
    if (pkt.length === 0 || pkt.length > MAX_PACKET)
      return this.#drop(new LinkError('MALFORMED', `packet of ${pkt.length} bytes`));
    switch (packetType(pkt)) {
      case T_DATA:
        return this.#data(path, pkt);
      case T_HS1: {
        const gate = admit(this.#jar, path, pkt);
        if (!gate.admit) return { send: gate.reply ? [gate.reply] : [] };
        if (!this.#room()) return this.#drop(new LinkError('UNEXPECTED', 'no room for another handshake'));
        const hs = new Responder(this.#c, { identity: this.#i.identity, checkPeer: this.#check });
        const step = hs.receive(pkt);
        if (step.ok) this.#in.set(path, { hs, started: this.#c.clock.now(), queue: [] });
        return this.#step(path, step, this.#in);
      }
      case T_COOKIE:
      case T_HS2:
      case T_HS3: {
        const table = packetType(pkt) === T_HS3 ? this.#in : this.#out;
        const p = table.get(path);
        if (!p) return this.#drop(new LinkError('UNEXPECTED', 'handshake packet without a handshake'));
        return this.#step(path, p.hs.receive(pkt), table);
      }
      default:
        return this.#drop(new LinkError('MALFORMED', `unknown packet type ${pkt[0]}`));
    }
  }

  /** Forgets every session and handshake with `nodeId` (on revocation). */
  dropNode(nodeId: string): number {
    let n = 0;
    for (const [path, list] of this.#sessions)
      if (list.some((s) => s.peer.nodeId === nodeId)) {
        this.#sessions.delete(path);
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
    if (!step.session) return { send };
    const queued = this.#out.get(path)?.queue ?? [];
    table.delete(path);
    this.#out.delete(path);
    const peer = step.session.peer.nodeId;
    const older = (this.#sessions.get(path) ?? []).filter((x) => x.peer.nodeId === peer).slice(0, 1);
    this.#sessions.set(path, [step.session, ...older]);
    this.counters.established++;
    for (const q of queued) send.push(step.session.seal(q));
    return { send, established: step.session.peer.nodeId };
  }

  #data(path: string, pkt: Uint8Array): Received {
    const sid = sessionIdOf(pkt);
    const s = this.#sessions.get(path)?.find((x) => x.id === sid);
    if (!s) return this.#drop(new LinkError('UNEXPECTED', `DATA on ${path} for no session of ours`));
    if (!this.#alive(path, s))
      return this.#drop(new MembershipError('REVOKED', `session with ${s.peer.nodeId} ended`));
    const r = s.open(pkt);
    if (!r.ok) return this.#drop(r.error);
    this.counters.delivered++;
    return { send: [], deliver: { peerId: s.peer.nodeId, payload: r.plaintext } };
  }

  /** A session lives while its peer is neither revoked nor expired. */
  #alive(path: string, s: TransportSession): boolean {
    const ok = !this.#c.revocation.isRevoked(s.peer.nodeId) && s.peer.expires * 1000 > this.#c.clock.now();
    if (!ok) this.#sessions.delete(path);
    return ok;
  }

  #room(): boolean {
    const now = this.#c.clock.now();
    for (const t of [this.#out, this.#in] as Map<string, Pending<unknown>>[])
      for (const [k, p] of t) if (now - p.started >= this.#i.handshakeTimeoutMs) t.delete(k);
    return this.#sessions.size + this.#out.size + this.#in.size < this.#i.maxPeers;
  }

  #drop(e: LinkError | MembershipError): Received {
    this.counters.dropped++;
    return { send: [], dropped: e };
  }
}
