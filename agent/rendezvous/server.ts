/**
 * The rendezvous server (docs/protocol/natm.md): answers STUN Binding requests, keeps the
 * session table of registered nodes, hands out table deltas, introduces two nodes so both
 * punch at the same moment, relays overlay messages for nodes no one reaches directly, and
 * pushes table changes to a few random nodes each second. Runs on any DatagramSocket.
 */
import type { Clock, Timer } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import { Channel } from '../natm/channel.ts';
import { Counters } from '../natm/counters.ts';
import type { PacketSealer } from '../natm/crypto/sealer.ts';
import type { DatagramSocket, Endpoint } from '../natm/datagram.ts';
import { RateLimiter } from '../natm/rate-limiter.ts';
import { bindingResponse, decodeStun, type StunInfo } from '../natm/stun-codec.ts';
import { MAX_CHILDREN, MAX_ENTRIES, type Packet, type TableEntry } from '../natm/wire/messages.ts';
import type { RendezvousConfig } from './config.ts';
import { type Session, SessionTable } from './session-table.ts';

export interface RendezvousComponents {
  socket: DatagramSocket;
  sealer: PacketSealer | null; // null: STUN only (no cluster key configured)
  clock: Clock;
  logger: Logger;
  random?: () => number;
}

export class RendezvousServer {
  readonly counters = new Counters();
  readonly table: SessionTable;
  private readonly channel: Channel | null;
  private readonly relay: RateLimiter;
  private readonly control: RateLimiter;
  private readonly stunLimit: RateLimiter;
  private readonly pending = new Map<string, Session>();
  private timers: Timer[] = [];
  private readonly random: () => number;

  constructor(
    private readonly c: RendezvousComponents,
    private readonly cfg: RendezvousConfig,
  ) {
    this.random = c.random ?? Math.random;
    this.table = new SessionTable(cfg.maxSessions, cfg.sessionTtlMs);
    this.relay = new RateLimiter(cfg.relayRatePerSec, cfg.relayBurst, 2 * cfg.maxSessions);
    this.control = new RateLimiter(cfg.controlRatePerSec, cfg.controlBurst, 2 * cfg.maxSessions);
    this.stunLimit = new RateLimiter(cfg.stunRatePerSec, cfg.stunBurst, 2 * cfg.maxSessions);
    const comps = { ...c, counters: this.counters };
    this.channel = c.sealer ? new Channel({ ...comps, sealer: c.sealer }, cfg.id, 2 * cfg.maxSessions) : null;
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

  stats(): Record<string, unknown> {
    return {
      id: this.cfg.id,
      sessions: this.table.size(),
      version: this.table.currentVersion(),
      counters: this.counters.snapshot(),
    };
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
      const r = this.table.upsert(p.sender, from, b.internals, undefined, now);
      if (r === 'full') return this.counters.inc('drop_table_full');
      if (r !== 'same') this.changed(p.sender);
      for (const child of b.children.slice(0, MAX_CHILDREN))
        if (child !== p.sender && this.table.upsert(child, undefined, [], p.sender, now) !== 'same')
          this.changed(child);
      const d = this.table.since(b.known, this.cfg.tablePageSize);
      this.send(from, {
        t: 'table',
        observed: from,
        version: d.upTo,
        more: d.more,
        push: false,
        entries: d.entries.map(wire),
      });
    } else if (b.t === 'intro-req') {
      const a = this.table.get(p.sender);
      const t = this.table.get(b.target);
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
    const d = this.table.get(b.dest);
    const hop = d?.ext ? d : d?.via ? this.table.get(d.via) : undefined;
    if (!hop?.ext) return this.counters.inc('drop_relay_unknown');
    this.send(hop.ext, { ...b, ttl: b.ttl - 1 });
    this.counters.inc('relayed');
  }

  private send(to: Endpoint, body: Packet['body']): void {
    this.channel?.send(to, body);
  }

  private changed(id: string): void {
    const s = this.table.get(id) ?? {
      id,
      internals: [],
      gone: true,
      ver: this.table.currentVersion(),
      lastSeen: 0,
    };
    this.pending.delete(id);
    this.pending.set(id, s);
    if (this.pending.size > MAX_ENTRIES) this.pending.delete(this.pending.keys().next().value!);
  }

  private expire(): void {
    for (const id of this.table.expire(this.c.clock.now())) this.changed(id);
  }

  /** Bounded push: the latest ≤ MAX_ENTRIES changes to ≤ pushFanout random nodes per interval. */
  private flushPush(): void {
    if (this.pending.size === 0) return;
    const entries = [...this.pending.values()].map(wire);
    this.pending.clear();
    const live = [...this.table.entries()].filter((s) => s.ext);
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
