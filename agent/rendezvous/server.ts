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
 */
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import { Channel } from '../lib/net/channel.ts';
import { Counters } from '../lib/net/counters.ts';
import type { PacketSealer } from '../lib/wire/envelope/sealer.ts';
import type { DatagramSocket, Endpoint } from '../lib/net/datagram.ts';
import { RateLimiter } from '../lib/net/rate-limiter.ts';
import { bindingResponse, decodeStun, type StunInfo } from '../lib/wire/stun-codec.ts';
import { MAX_CHILDREN, MAX_ENTRIES, type Packet, type TableEntry } from '../lib/wire/messages.ts';
import type { RendezvousConfig } from './config.ts';
import { type Session, SessionTable } from './session-table.ts';

export interface RendezvousComponents {
  socket: DatagramSocket;
  sealer: PacketSealer | null; // null: STUN only; a ClusterKeySealer, or a SignedFramer when open
  clock: Clock;
  logger: Logger;
  random?: () => number;
}

/** One cluster's part of the server: its session table and the changes not yet pushed. */
interface Space {
  readonly ns: string;
  readonly table: SessionTable;
  readonly pending: Map<string, Session>;
}

export class RendezvousServer {
  readonly counters = new Counters();
  private readonly spaces = new Map<string, Space>();
  /** Node id → the namespace it registered in (a node lives in one at a time). */
  private readonly nsOf = new Map<string, string>();
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
    this.relay = new RateLimiter(cfg.relayRatePerSec, cfg.relayBurst, 2 * cfg.maxSessions);
    this.control = new RateLimiter(cfg.controlRatePerSec, cfg.controlBurst, 2 * cfg.maxSessions);
    this.stunLimit = new RateLimiter(cfg.stunRatePerSec, cfg.stunBurst, 2 * cfg.maxSessions);
    // Open mode verifies a signature per packet: bound that work per source address first.
    const sources = new RateLimiter(cfg.sourceRatePerSec, cfg.sourceBurst, 2 * cfg.maxSessions);
    const admit = cfg.open ? (from: Endpoint, now: number) => sources.take(from.address, now) : undefined;
    const comps = { ...c, counters: this.counters, admit };
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
      sessions: this.sessions(),
      namespaces: Object.fromEntries(
        [...this.spaces.values()].map((sp) => [
          sp.ns,
          { sessions: sp.table.size(), version: sp.table.currentVersion() },
        ]),
      ),
      version: this.table.currentVersion(),
      counters: this.counters.snapshot(),
    };
  }

  /** Namespaces with a session table. */
  namespaceCount(): number {
    return this.spaces.size;
  }

  /** Live sessions over all namespaces. */
  sessions(): number {
    let n = 0;
    for (const sp of this.spaces.values()) n += sp.table.size();
    return n;
  }

  /** The space of `ns`, made on first use; null (counted) if refused or too many. */
  private space(ns: string): Space | null {
    const have = this.spaces.get(ns);
    if (have) return have;
    if (this.cfg.namespaces.length && !this.cfg.namespaces.includes(ns))
      return (this.counters.inc('drop_namespace_refused'), null);
    if (this.spaces.size >= this.cfg.maxNamespaces) return (this.counters.inc('drop_namespaces_full'), null);
    const sp = {
      ns,
      table: new SessionTable(this.cfg.maxSessions, this.cfg.sessionTtlMs),
      pending: new Map(),
    };
    this.spaces.set(ns, sp);
    return sp;
  }

  /** The space `id` registered in, if it is live there. */
  private spaceOf(id: string): Space | undefined {
    const ns = this.nsOf.get(id);
    return ns === undefined ? undefined : this.spaces.get(ns);
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
    // Responses are ~4× the request: limit per source address against reflection floods.
    if (!this.stunLimit.take(from.address, this.c.clock.now())) return this.counters.inc('drop_stun_rate');
    this.counters.inc('stun_requests');
    this.c.socket.send(bindingResponse(s.txid, from), from);
  }

  private onPacket(p: Packet, from: Endpoint): void {
    const now = this.c.clock.now();
    const b = p.body;
    if (b.t === 'forward') return this.onForward(p.sender, b, now);
    if (b.t === 'probe') return void (b.ack || this.send(from, { t: 'probe', token: b.token, ack: true }));
    if (!this.control.take(p.sender, now)) return this.counters.inc('drop_rate_control');
    if (b.t === 'register') {
      if (this.cfg.open ? b.ns === '' : b.ns !== '') return this.counters.inc('drop_namespace_mode');
      const sp = this.space(b.ns);
      if (!sp) return;
      const r = this.join(sp, p.sender, from, b.internals, undefined, now);
      if (r === 'full') return this.counters.inc('drop_table_full');
      this.counters.inc('registrations');
      for (const child of b.children.slice(0, MAX_CHILDREN)) {
        // A bridge speaks for its LAN children, never over a node's own live registration.
        if (child === p.sender || sp.table.get(child)?.ext) continue;
        this.join(sp, child, undefined, [], p.sender, now);
      }
      const d = sp.table.since(b.known, this.cfg.tablePageSize);
      this.send(from, {
        t: 'table',
        observed: from,
        version: d.upTo,
        more: d.more,
        push: false,
        entries: d.entries.map(wire),
      });
    } else if (b.t === 'intro-req') {
      const sp = this.spaceOf(p.sender);
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
    const sp = this.spaceOf(sender);
    // A node relays as itself, or as its bridge child (whose entry names it as `via`).
    if (b.origin !== sender && sp?.table.get(b.origin)?.via !== sender)
      return this.counters.inc('drop_relay_spoofed');
    const d = sp?.table.get(b.dest);
    const hop = d?.ext ? d : d?.via ? sp!.table.get(d.via) : undefined;
    if (!hop?.ext) return this.counters.inc('drop_relay_unknown');
    this.send(hop.ext, { ...b, ttl: b.ttl - 1 });
    this.counters.inc('relayed');
  }

  private send(to: Endpoint, body: Packet['body']): void {
    this.channel?.send(to, body);
  }

  /** Puts `id` into space `sp` (leaving any other space it was in); 'full' past maxSessions. */
  private join(
    sp: Space,
    id: string,
    ext: Endpoint | undefined,
    internals: Endpoint[],
    via: string | undefined,
    now: number,
  ): ReturnType<SessionTable['upsert']> {
    const fresh = !sp.table.get(id);
    if (fresh && this.sessions() >= this.cfg.maxSessions) return 'full';
    const r = sp.table.upsert(id, ext, internals, via, now);
    if (r === 'full') return r;
    const before = this.nsOf.get(id);
    if (before !== undefined && before !== sp.ns) {
      const old = this.spaces.get(before);
      if (old?.table.get(id)) {
        old.table.remove(id, now);
        this.changed(old, id);
      }
    }
    this.nsOf.set(id, sp.ns);
    if (r !== 'same') this.changed(sp, id);
    return r;
  }

  private changed(sp: Space, id: string): void {
    const s = sp.table.get(id) ?? {
      id,
      internals: [],
      gone: true,
      ver: sp.table.currentVersion(),
      lastSeen: 0,
    };
    sp.pending.delete(id);
    sp.pending.set(id, s);
    if (sp.pending.size > MAX_ENTRIES) sp.pending.delete(sp.pending.keys().next().value!);
  }

  private expire(): void {
    const now = this.c.clock.now();
    for (const sp of this.spaces.values())
      for (const id of sp.table.expire(now)) {
        if (this.nsOf.get(id) === sp.ns) this.nsOf.delete(id);
        this.changed(sp, id);
      }
  }

  private flushPush(): void {
    for (const sp of this.spaces.values()) this.flushSpace(sp);
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
      const mine = entries.filter((e) => e.id !== to.id);
      if (mine.length) this.send(to.ext!, { t: 'table', version: 0, more: false, push: true, entries: mine });
    }
  }
}

function wire(s: TableEntry): TableEntry {
  return { id: s.id, ext: s.ext, internals: s.internals, via: s.via, gone: s.gone, ver: s.ver };
}
