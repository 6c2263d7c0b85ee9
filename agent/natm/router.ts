/**
 * How a node's packet gets to a peer: over the peer's working endpoint (direct/punched),
 * through a bridge (ours if we are a bridge child, or the peer's), or through a live
 * rendezvous (relayed, which also asks for an introduction so the path can be upgraded).
 * Also the bridge side of forwarding: a bridge passes `forward` packets to its LAN
 * children and sends its children's packets on over its own best path, rate-limited.
 */
import type { Clock } from '../lib/common/clock.ts';
import type { Channel } from '../lib/net/channel.ts';
import type { NatmConfig } from './config.ts';
import type { Counters } from '../lib/net/counters.ts';
import type { Endpoint } from '../lib/net/datagram.ts';
import type { Liveness, PeerBook, PeerState } from './peer-book.ts';
import { RateLimiter } from '../lib/net/rate-limiter.ts';
import type { RendezvousClient } from './rendezvous-client.ts';
import { type Body, MAX_ENTRIES, type TableEntry } from '../lib/wire/messages.ts';

export type Forward = Extract<Body, { t: 'forward' }>;

export interface RouterComponents {
  channel: Channel;
  book: PeerBook;
  rdv: RendezvousClient;
  counters: Counters;
  clock: Clock;
  live(): Liveness;
}

export class Router {
  /** Bridge children: node id → LAN endpoint and last hello. Bounded by maxChildren. */
  readonly children = new Map<string, { ep: Endpoint; last: number; cursor: number }>();
  private readonly limit: RateLimiter;

  constructor(
    private readonly c: RouterComponents,
    private readonly cfg: NatmConfig,
  ) {
    this.limit = new RateLimiter(cfg.forwardRatePerSec, cfg.forwardBurst, 4 * cfg.maxChildren + 16);
  }

  /** Send `payload` from `origin` (us, or a bridge child) to peer `p` on its best path. */
  route(p: PeerState, origin: string, payload: Uint8Array, ttl: number): boolean {
    const { channel, book, rdv } = this.c;
    const l = this.c.live();
    const fwd: Forward = { t: 'forward', origin, dest: p.id, ttl, payload };
    switch (book.pathOf(p, l)) {
      case 'direct':
      case 'punched':
        return channel.send(p.ep!, origin === this.cfg.id ? { t: 'data', payload } : fwd);
      case 'bridged': {
        if (l.bridgeUp) return channel.send(this.cfg.bridgeVia!, fwd);
        const b = p.via ? book.get(p.via) : undefined;
        if (b && book.endpointAlive(b, l)) return channel.send(b.ep!, fwd);
        const i = b ? [...b.rdvs].find((k) => l.rdvAlive(k)) : undefined;
        return i !== undefined && channel.send(rdv.rdvs[i]!.ep, fwd);
      }
      case 'relayed': {
        const i = [...p.rdvs].find((k) => l.rdvAlive(k))!;
        this.requestIntro(p, l);
        return channel.send(rdv.rdvs[i]!.ep, fwd);
      }
      default:
        return false;
    }
  }

  /** Ask a rendezvous to introduce us to `p` (upgrade relayed → punched), once per upgradeIntervalMs. */
  requestIntro(p: PeerState, l: Liveness): void {
    if (!p.ext || l.now - p.lastIntro < this.cfg.upgradeIntervalMs) return;
    const i = [...p.rdvs].find((k) => l.rdvAlive(k));
    if (i === undefined) return;
    p.lastIntro = l.now;
    this.c.channel.send(this.c.rdv.rdvs[i]!.ep, { t: 'intro-req', target: p.id });
  }

  /** A child said hello; false (counted) when this node is no bridge or is full. */
  admitChild(id: string, from: Endpoint): boolean {
    if (!this.cfg.bridge) return (this.c.counters.inc('drop_not_bridge'), false);
    if (!this.children.has(id) && this.children.size >= this.cfg.maxChildren)
      return (this.c.counters.inc('drop_children_full'), false);
    const cursor = this.children.get(id)?.cursor ?? 0;
    this.children.set(id, { ep: from, last: this.c.clock.now(), cursor });
    return true;
  }

  /**
   * The next page (≤ MAX_ENTRIES) of what this bridge knows, for child `id`: a child that
   * joins late still learns the whole peer book, one bounded page per child-hello.
   */
  nextPageFor(id: string): TableEntry[] {
    const ch = this.children.get(id);
    const all = [...this.c.book.map.values()].filter((p) => p.id !== id && (p.ext || p.via));
    if (!ch || all.length === 0) return [];
    const start = ch.cursor % all.length;
    const page = [...all.slice(start), ...all.slice(0, start)].slice(0, MAX_ENTRIES);
    ch.cursor = start + page.length;
    return page.map((p) => ({
      id: p.id,
      ext: p.ext,
      internals: p.internals,
      via: p.via,
      gone: false,
      ver: 0,
    }));
  }

  expireChildren(now: number): void {
    for (const [id, ch] of this.children)
      if (now - ch.last > this.cfg.pathTimeoutMs) this.children.delete(id);
  }

  /** A `forward` for someone else: pass it to a child, or on behalf of a child. */
  forwardAsBridge(sender: string, b: Forward): void {
    const { counters } = this.c;
    if (!this.cfg.bridge) return counters.inc('drop_forward_not_bridge');
    if (!this.limit.take(sender, this.c.clock.now())) return counters.inc('drop_forward_rate');
    if (b.ttl <= 1) return counters.inc('drop_ttl');
    const child = this.children.get(b.dest);
    if (child) {
      counters.inc('bridged_in');
      return void this.c.channel.send(child.ep, { ...b, ttl: b.ttl - 1 });
    }
    const dest = this.c.book.get(b.dest);
    const fromChild = this.children.has(b.origin) && sender === b.origin;
    if (fromChild && dest && this.route(dest, b.origin, b.payload, b.ttl - 1))
      return counters.inc('bridged_out');
    counters.inc('drop_forward_unroutable');
  }
}
