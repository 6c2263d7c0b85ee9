/**
 * The rendezvous server (docs/protocol/natm.md): answers STUN Binding requests, keeps the
 * session table of registered nodes, hands out table deltas, introduces two nodes so both
 * punch at the same moment, relays overlay messages for nodes no one reaches directly, and
 * pushes table changes to a few random nodes each second. Runs on any DatagramSocket.
 *
 * One table per namespace: a node registers under its cluster's namespace (certificate
 * mode) or "" (cluster-key mode), and sees, meets and reaches only nodes of the same one.
 * In open mode (`open`, sealer = SignedFramer) the server holds no secret of any cluster:
 * a packet's sender id is proven by the sender's own key, nothing more.
 *
 * Against outsiders (a key costs nothing): a `register` is taken only from an address that
 * proved it receives (a token echoed in a probe, lib/net/address-proof.ts; until then it is
 * answered with that probe, which is smaller), no address gets more bytes than it sent
 * until then, and sessions and namespaces are shared fairly between source addresses
 * (spaces.ts). STUN answers are no larger than needed (stun-codec.ts) and limited per source.
 */
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import { AddressProof } from '../lib/net/address-proof.ts';
import { Channel } from '../lib/net/channel.ts';
import { Counters } from '../lib/net/counters.ts';
import { sourceKey, V6_SOURCE_PREFIX } from '../lib/net/fair-share.ts';
import type { PacketSealer } from '../lib/wire/envelope/sealer.ts';
import type { DatagramSocket, Endpoint } from '../lib/net/datagram.ts';
import { RateLimiter } from '../lib/net/rate-limiter.ts';
import { bindingResponse, decodeStun, minStunResponse, type StunInfo } from '../lib/wire/stun-codec.ts';
import { fitEntries, MAX_CHILDREN, type Packet, type TableEntry } from '../lib/wire/messages.ts';
import type { RendezvousConfig } from './config.ts';
import { SessionTable } from './session-table.ts';
import { type Space, Spaces } from './spaces.ts';

export interface RendezvousComponents {
  socket: DatagramSocket;
  sealer: PacketSealer | null; // null: STUN only; a ClusterKeySealer, or a SignedFramer when open
  clock: Clock;
  logger: Logger;
  random?: () => number;
}

/** A proof of a node's address lasts this many session TTLs; it is renewed in the second half. */
const PROOF_TTLS = 10;

export class RendezvousServer {
  readonly counters = new Counters();
  private readonly spaces: Spaces;
  private readonly proof: AddressProof;
  private readonly channel: Channel | null;
  private readonly relay: RateLimiter;
  private readonly control: RateLimiter;
  private readonly stunLimit: RateLimiter;
  private timers: Timer[] = [];
  private readonly random: () => number;

  constructor(
    private readonly c: RendezvousComponents,
    private readonly cfg: RendezvousConfig,
  ) {
    this.random = c.random ?? Math.random;
    this.spaces = new Spaces(cfg, this.counters);
    const proofTtl = PROOF_TTLS * cfg.sessionTtlMs;
    this.proof = new AddressProof(c.clock, { ttlMs: proofTtl, maxEntries: 2 * cfg.maxSessions });
    this.relay = new RateLimiter(cfg.relayRatePerSec, cfg.relayBurst, 2 * cfg.maxSessions);
    this.control = new RateLimiter(cfg.controlRatePerSec, cfg.controlBurst, 2 * cfg.maxSessions);
    this.stunLimit = new RateLimiter(cfg.stunRatePerSec, cfg.stunBurst, 2 * cfg.maxSessions);
    // Open mode verifies a signature per packet: bound that work per source address first.
    const sources = new RateLimiter(cfg.sourceRatePerSec, cfg.sourceBurst, 2 * cfg.maxSessions);
    const admit = cfg.open ? (from: Endpoint, now: number) => sources.take(from.address, now) : undefined;
    const comps = { ...c, counters: this.counters, admit, proof: this.proof };
    const selfId = c.sealer?.signerId ?? cfg.id;
    this.channel = c.sealer ? new Channel({ ...comps, sealer: c.sealer }, selfId, 2 * cfg.maxSessions) : null;
    if (this.channel)
      this.channel.handle(
        (p, from) => this.onPacket(p, from),
        (s, from) => this.onStun(s, from),
      );
    else c.socket.onMessage((d, from) => this.onRawStun(d, from));
  }

  start(): void {
    if (this.timers.length) return;
    const { clock } = this.c;
    this.timers.push(clock.setInterval(() => this.expire(), Math.max(1000, this.cfg.sessionTtlMs / 4)));
    this.timers.push(clock.setInterval(() => this.flushPush(), this.cfg.pushIntervalMs));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) t.cancel();
    this.timers = [];
    await this.c.socket.close();
  }

  /** The session table of cluster-key mode (namespace ""). */
  get table(): SessionTable {
    return this.tableOf('');
  }

  /** The session table of one namespace (an empty one if nobody registered in it). */
  tableOf(ns: string): SessionTable {
    return this.spaces.get(ns)?.table ?? new SessionTable(this.cfg.maxSessions, this.cfg.sessionTtlMs);
  }

  stats(): Record<string, unknown> {
    return {
      id: this.cfg.id,
      open: this.cfg.open,
      sessions: this.spaces.sessions,
      namespaces: Object.fromEntries(
        [...this.spaces.all()].map((sp) => [
          sp.ns,
          { sessions: sp.table.size(), version: sp.table.currentVersion() },
        ]),
      ),
      version: this.table.currentVersion(),
      addresses: this.proof.sizes(),
      counters: this.counters.snapshot(),
    };
  }

  /** Namespaces with a session table. */
  namespaceCount(): number {
    return this.spaces.namespaces;
  }

  /** Live sessions over all namespaces. */
  sessions(): number {
    return this.spaces.sessions;
  }

  private onRawStun(data: Uint8Array, from: Endpoint): void {
    try {
      const s = decodeStun(data);
      if (!s) return this.counters.inc('drop_bad_stun');
      this.onStun(s, from);
    } catch {
      this.counters.inc('drop_handler_error');
    }
  }

  private onStun(s: StunInfo, from: Endpoint): void {
    if (s.kind !== 'request') return this.counters.inc('drop_stun_unexpected');
    // No amplification over IPv6: a request smaller than its 44-byte answer gets none.
    if (s.bytes < minStunResponse(from) && from.address.includes(':'))
      return this.counters.inc('drop_stun_small_v6');
    // Responses can be larger than the request: limit per source (an IPv6 /64 is one source)
    // against reflection floods.
    const source = from.address.includes(':') ? sourceKey(from.address, V6_SOURCE_PREFIX) : from.address;
    if (!this.stunLimit.take(source, this.c.clock.now())) return this.counters.inc('drop_stun_rate');
    this.counters.inc('stun_requests');
    this.c.socket.send(bindingResponse(s.txid, from, s.bytes), from);
  }

  private onPacket(p: Packet, from: Endpoint): void {
    const now = this.c.clock.now();
    const b = p.body;
    if (b.t === 'forward') return this.onForward(p.sender, b, now);
    if (b.t === 'probe') return this.onProbe(b, from);
    if (!this.control.take(p.sender, now)) return this.counters.inc('drop_rate_control');
    if (b.t === 'register') {
      if (this.cfg.open ? b.ns === '' : b.ns !== '') return this.counters.inc('drop_namespace_mode');
      if (!this.proof.isProven(from)) return this.challenge(from, 'register_challenged');
      if (this.proof.remaining(from) < (PROOF_TTLS * this.cfg.sessionTtlMs) / 2)
        this.challenge(from, 'proof_renewed');
      const source = sourceKey(from.address, this.cfg.sourcePrefix);
      const r = this.spaces.join(b.ns, p.sender, { ext: from, internals: b.internals }, source, now);
      const sp = this.spaces.get(b.ns);
      if (r === null || !sp) return;
      this.counters.inc('registrations');
      for (const child of b.children.slice(0, MAX_CHILDREN)) {
        // A bridge speaks for its LAN children, never over a node's own live registration.
        if (child === p.sender || sp.table.get(child)?.ext) continue;
        this.spaces.join(b.ns, child, { internals: [], via: p.sender }, source, now);
      }
      const d = sp.table.since(b.known, this.cfg.tablePageSize, (page) => fitEntries(page).length);
      this.send(from, {
        t: 'table',
        observed: from,
        version: d.upTo,
        more: d.more,
        push: false,
        entries: d.entries.map(wire),
      });
    } else if (b.t === 'intro-req') {
      const sp = this.spaces.of(p.sender);
      const a = sp?.table.get(p.sender);
      const t = sp?.table.get(b.target);
      if (!a?.ext || !t?.ext) return this.counters.inc('drop_intro_unknown');
      const token = Math.floor(this.random() * 0xffffffff);
      this.send(t.ext, { t: 'intro', token, peer: wire(a) });
      this.send(a.ext, { t: 'intro', token, peer: wire(t) });
      this.counters.inc('introductions');
    } else this.counters.inc('drop_unexpected');
  }

  private onForward(sender: string, b: Extract<Packet['body'], { t: 'forward' }>, now: number): void {
    if (!this.relay.take(sender, now)) return this.counters.inc('drop_relay_rate');
    if (b.ttl <= 1) return this.counters.inc('drop_ttl');
    const sp = this.spaces.of(sender);
    // A node relays as itself, or as its bridge child (whose entry names it as `via`).
    if (b.origin !== sender && sp?.table.get(b.origin)?.via !== sender)
      return this.counters.inc('drop_relay_spoofed');
    const d = sp?.table.get(b.dest);
    const hop = d?.ext ? d : d?.via ? sp!.table.get(d.via) : undefined;
    if (!hop?.ext) return this.counters.inc('drop_relay_unknown');
    this.send(hop.ext, { ...b, ttl: b.ttl - 1 });
    this.counters.inc('relayed');
  }

  /** A probe or ack: it may prove `from` (echo); a probe, or a fresh token, gets an ack (as large). */
  private onProbe(b: Extract<Packet['body'], { t: 'probe' }>, from: Endpoint): void {
    this.proof.echo(from, b.echo);
    if (!b.ack || this.proof.fresh(from, b.token))
      this.send(from, { t: 'probe', token: this.proof.token(from), ack: true, echo: b.token });
  }

  /** Asks `from` to prove its address: a probe with our token (smaller than the register it answers). */
  private challenge(from: Endpoint, counter: string): void {
    this.counters.inc(counter);
    this.send(from, { t: 'probe', token: this.proof.token(from), ack: false, echo: 0 });
  }

  private send(to: Endpoint, body: Packet['body']): void {
    this.channel?.send(to, body);
  }

  private expire(): void {
    this.spaces.expire(this.c.clock.now());
  }

  private flushPush(): void {
    for (const sp of this.spaces.all()) this.flushSpace(sp);
  }

  /** Bounded push: the latest ≤ MAX_ENTRIES changes to ≤ pushFanout random nodes of the space per interval. */
  private flushSpace(sp: Space): void {
    if (sp.pending.size === 0) return;
    const entries = [...sp.pending.values()].map(wire);
    sp.pending.clear();
    const live = [...sp.table.entries()].filter((s) => s.ext);
    const n = Math.min(this.cfg.pushFanout, live.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.random() * (live.length - i));
      [live[i], live[j]] = [live[j]!, live[i]!];
      const to = live[i]!;
      const mine = fitEntries(entries.filter((e) => e.id !== to.id));
      if (mine.length) this.send(to.ext!, { t: 'table', version: 0, more: false, push: true, entries: mine });
    }
  }
}

function wire(s: TableEntry): TableEntry {
  return { id: s.id, ext: s.ext, internals: s.internals, via: s.via, gone: s.gone, ver: s.ver };
}
