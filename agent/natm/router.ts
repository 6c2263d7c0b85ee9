/**
 * How a node's packet gets to a peer: over the peer's working endpoint (direct/punched),
 * through a bridge (ours if we are a bridge child, or the peer's), or through a live
 * rendezvous (relayed, which also asks for an introduction so the path can be upgraded).
 * Also the bridge side of forwarding: a bridge passes `forward` packets to its LAN
 * children and sends its children's packets on over its own best path, rate-limited.
 */
import type { Clock } from '../lib/common/clock.ts';
import type { AddressProof } from '../lib/net/address-proof.ts';
import type { Channel } from '../lib/net/channel.ts';
import type { NatmConfig } from './config.ts';
import type { Counters } from '../lib/net/counters.ts';
import type { Endpoint } from '../lib/net/datagram.ts';
import type { Liveness, PeerBook, PeerState } from './peer-book.ts';
import { RateLimiter } from '../lib/net/rate-limiter.ts';
import type { RendezvousClient } from './rendezvous-client.ts';
import { type Body, fitEntries, MAX_ENTRIES, type TableEntry } from '../lib/wire/messages.ts';

const entryOf = (peer: PeerState): TableEntry => ({
  id: peer.id,
  ext: peer.ext,
  internals: peer.internals,
  via: peer.via,
  gone: false,
  ver: 0,
});

export type Forward = Extract<Body, { t: 'forward' }>;

export interface RouterComponents {
  channel: Channel;
  book: PeerBook;
  rdv: RendezvousClient;
  counters: Counters;
  clock: Clock;
  proof: AddressProof;
  live(): Liveness;
}

interface Child {
  ep: Endpoint;
  last: number;
  cursor: number;
}

export class Router {
  /** Bridge children: node id → LAN endpoint and last hello. Bounded by maxChildren. */
  private readonly children = new Map<string, Child>();
  private readonly limit: RateLimiter;

  constructor(
    private readonly deps: RouterComponents,
    private readonly cfg: NatmConfig,
  ) {
    this.limit = new RateLimiter(cfg.forwardRatePerSec, cfg.forwardBurst, 4 * cfg.maxChildren + 16);
  }

  /** Send `payload` from `origin` (us, or a bridge child) to `peer` on its best path. */
  route(peer: PeerState, origin: string, payload: Uint8Array, ttl: number): boolean {
    const { channel, book, rdv } = this.deps;
    const liveness = this.deps.live();
    const fwd: Forward = { t: 'forward', origin, dest: peer.id, ttl, payload };
    switch (book.pathOf(peer, liveness)) {
      case 'direct':
      case 'punched':
        return channel.send(peer.ep!, origin === this.cfg.id ? { t: 'data', payload } : fwd);
      case 'bridged': {
        if (liveness.bridgeUp) return channel.send(this.cfg.bridgeVia!, fwd);
        const bridge = peer.via ? book.get(peer.via) : undefined;
        if (bridge && book.endpointAlive(bridge, liveness)) return channel.send(bridge.ep!, fwd);
        const index = bridge ? [...bridge.rdvs].find((k) => liveness.rdvAlive(k)) : undefined;
        return index !== undefined && channel.send(rdv.endpoint(index), fwd);
      }
      case 'relayed': {
        const index = [...peer.rdvs].find((k) => liveness.rdvAlive(k))!;
        this.requestIntro(peer, liveness);
        return channel.send(rdv.endpoint(index), fwd);
      }
      default:
        return false;
    }
  }

  /** Ask a rendezvous to introduce us to `peer` (upgrade relayed → punched), once per upgradeIntervalMs. */
  requestIntro(peer: PeerState, liveness: Liveness): void {
    if (!peer.ext || liveness.now - peer.lastIntro < this.cfg.upgradeIntervalMs) return;
    const index = [...peer.rdvs].find((k) => liveness.rdvAlive(k));
    if (index === undefined) return;
    this.deps.book.introduced(peer, liveness.now);
    this.deps.channel.send(this.deps.rdv.endpoint(index), { t: 'intro-req', target: peer.id });
  }

  /**
   * A child said hello; false (counted) when this node is no bridge, the hello's address has
   * not proved that it receives (the child's probe does that, probes.ts), or we are full.
   */
  admitChild(id: string, from: Endpoint): boolean {
    if (!this.cfg.bridge) return (this.deps.counters.inc('drop_not_bridge'), false);
    if (!this.deps.proof.isProven(from)) return (this.deps.counters.inc('drop_child_unproven'), false);
    if (!this.children.has(id) && this.children.size >= this.cfg.maxChildren)
      return (this.deps.counters.inc('drop_children_full'), false);
    const cursor = this.children.get(id)?.cursor ?? 0;
    this.children.set(id, { ep: from, last: this.deps.clock.now(), cursor });
    return true;
  }

  /**
   * The next page (≤ MAX_ENTRIES) of what this bridge knows, for child `id`: a child that
   * joins late still learns the whole peer book, one bounded page per child-hello.
   */
  nextPageFor(id: string): TableEntry[] {
    const child = this.children.get(id);
    const all = this.deps.book.all().filter((peer) => peer.id !== id && (peer.ext || peer.via));
    if (!child || all.length === 0) return [];
    const start = child.cursor % all.length;
    const page = fitEntries([...all.slice(start), ...all.slice(0, start)].slice(0, MAX_ENTRIES).map(entryOf));
    child.cursor = start + page.length;
    return page;
  }

  childIds(): string[] {
    return [...this.children.keys()];
  }

  isChild(id: string): boolean {
    return this.children.has(id);
  }

  /** Send `body` to every child (a bridge passes rendezvous tables down). */
  toChildren(body: Body): void {
    for (const child of this.children.values()) this.deps.channel.send(child.ep, body);
  }

  /** A child that was banned: no slot, no forwarding. */
  dropChild(id: string): void {
    this.children.delete(id);
  }

  expireChildren(now: number): void {
    for (const [id, child] of this.children)
      if (now - child.last > this.cfg.pathTimeoutMs) this.children.delete(id);
  }

  /** A `forward` for someone else: pass it to a child, or on behalf of a child. */
  forwardAsBridge(sender: string, fwd: Forward): void {
    const { counters } = this.deps;
    if (!this.cfg.bridge) return counters.inc('drop_forward_not_bridge');
    if (!this.limit.take(sender, this.deps.clock.now())) return counters.inc('drop_forward_rate');
    if (fwd.ttl <= 1) return counters.inc('drop_ttl');
    const child = this.children.get(fwd.dest);
    if (child) {
      counters.inc('bridged_in');
      return void this.deps.channel.send(child.ep, { ...fwd, ttl: fwd.ttl - 1 });
    }
    const dest = this.deps.book.get(fwd.dest);
    const fromChild = this.children.has(fwd.origin) && sender === fwd.origin;
    if (fromChild && dest && this.route(dest, fwd.origin, fwd.payload, fwd.ttl - 1))
      return counters.inc('bridged_out');
    counters.inc('drop_forward_unroutable');
  }
}
