/**
 * In-memory OverlayLink network for simulations (STYLE.md rule 5): per-packet loss and
 * latency, nodes going offline (crash, sleep) and partitions. Delivery is a FakeClock timer,
 * so 1,000 nodes run in seconds. Path discovery is the transport's job and out of scope
 * here: every node can send to every other node (subject to loss/offline/partition), and
 * `peers()` lists either all nodes or `seeds` random earlier nodes (to exercise joins).
 */
import type { FakeClock } from '../../simnet/fake-clock.ts';
import type { OverlayLink, PeerView } from '../overlay-link.ts';

export interface SimNetworkInit {
  latencyMs: number;
  jitterMs: number;
  loss: number;
  /** 'all': every node is a transport peer of every other; a number: that many seeds. */
  peers: 'all' | number;
  /** Seeds drawn from the nodes added before (a growing fleet) or from all (call `reseed`). */
  seedsFrom: 'earlier' | 'any';
}

const TYPE_NAMES = ['?', 'ping', 'ack', 'ping-req', 'gossip', 'fetch', 'chunk', 'push-pull'];

export class SimNetwork {
  readonly links = new Map<string, SimLink>();
  readonly sentByType = new Map<string, number>();
  private readonly offline = new Set<string>();
  private readonly group = new Map<string, number>();
  private allViews: PeerView[] | null = null;
  readonly init: SimNetworkInit;
  delivered = 0;
  dropped = 0;

  constructor(
    readonly clock: FakeClock,
    private readonly random: () => number,
    init: Partial<SimNetworkInit> = {},
  ) {
    this.init = { latencyMs: 20, jitterMs: 20, loss: 0, peers: 'all', seedsFrom: 'earlier', ...init };
  }

  addNode(id: string): SimLink {
    const ids = [...this.links.keys()];
    const seeds: string[] = [];
    if (this.init.peers !== 'all')
      for (let i = 0; i < this.init.peers && ids.length > 0; i++)
        seeds.push(ids.splice(Math.floor(this.random() * ids.length), 1)[0]!);
    const link = new SimLink(this, id, seeds);
    this.links.set(id, link);
    this.allViews = null;
    return link;
  }

  /** With seedsFrom 'any': give every node `peers` seeds drawn uniformly from all nodes. */
  reseed(): void {
    const ids = [...this.links.keys()];
    const k = typeof this.init.peers === 'number' ? this.init.peers : 0;
    for (const link of this.links.values()) {
      const seeds = new Set<string>();
      while (seeds.size < Math.min(k, ids.length - 1)) {
        const id = ids[Math.floor(this.random() * ids.length)]!;
        if (id !== link.selfId) seeds.add(id);
      }
      link.seeds = [...seeds];
    }
  }

  setLoss(p: number): void {
    this.init.loss = p;
  }
  setOffline(id: string, off: boolean): void {
    if (off) this.offline.add(id);
    else this.offline.delete(id);
  }
  isOffline(id: string): boolean {
    return this.offline.has(id);
  }
  /** Nodes in different groups cannot reach each other; nodes not listed are in group 0. */
  partition(groups: string[][]): void {
    this.group.clear();
    groups.forEach((g, i) => g.forEach((id) => this.group.set(id, i + 1)));
  }
  heal(): void {
    this.group.clear();
  }

  views(): readonly PeerView[] {
    if (!this.allViews) this.allViews = [...this.links.keys()].map((id, i) => simView(id, i));
    return this.allViews;
  }

  send(from: string, to: string, payload: Uint8Array): boolean {
    const dst = this.links.get(to);
    if (!dst || to === from) return false;
    const sender = this.links.get(from)!;
    sender.sent++;
    const t = TYPE_NAMES[payload[1] ?? 0] ?? '?';
    this.sentByType.set(t, (this.sentByType.get(t) ?? 0) + 1);
    if (!this.reachable(from, to) || this.random() < this.init.loss) {
      this.dropped++;
      return true; // like UDP: the sender cannot tell
    }
    const delay = this.init.latencyMs + this.random() * this.init.jitterMs;
    this.clock.setTimeout(() => {
      if (!this.reachable(from, to)) return void this.dropped++;
      this.delivered++;
      dst.deliver(from, payload);
    }, delay);
    return true;
  }

  private reachable(a: string, b: string): boolean {
    if (this.offline.has(a) || this.offline.has(b)) return false;
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0);
  }
}

export class SimLink implements OverlayLink {
  private msg: ((peerId: string, payload: Uint8Array) => void)[] = [];
  private change: ((peer: PeerView) => void)[] = [];
  sent = 0;

  constructor(
    private readonly net: SimNetwork,
    readonly selfId: string,
    public seeds: string[],
  ) {}

  send(peerId: string, payload: Uint8Array): boolean {
    return this.net.send(this.selfId, peerId, payload);
  }
  onMessage(h: (peerId: string, payload: Uint8Array) => void): void {
    this.msg.push(h);
  }
  onPeerChange(h: (peer: PeerView) => void): void {
    this.change.push(h);
  }
  peers(): readonly PeerView[] {
    if (this.net.init.peers === 'all') return this.net.views();
    return this.seeds.map((id) => simView(id, 0));
  }
  deliver(from: string, payload: Uint8Array): void {
    for (const h of this.msg) h(from, payload);
  }
  /** Tell the node the transport (re)gained a path to `peer`. */
  peerChanged(peer: PeerView): void {
    for (const h of this.change) h(peer);
  }
  /** Forget handlers (a crashed node restarts as a fresh process on the same link). */
  reset(): void {
    this.msg = [];
    this.change = [];
  }
}

/** A PeerView with made-up LAN (10.1.x.y) and public (198.18.x.y) addresses for node #i. */
export function simView(id: string, i: number): PeerView {
  const tail = `${(i >> 8) & 255}.${i & 255}`;
  return {
    id,
    path: 'direct',
    internal: { address: `10.1.${tail}`, port: 4100 },
    external: { address: `198.18.${tail}`, port: 40000 + (i % 20000) },
    lastSeen: 0,
  };
}
