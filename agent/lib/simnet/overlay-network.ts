/**
 * Node-id links (OverlayLink) on the MemoryNetwork, for gossip and rollout simulations:
 * every node is a public host with one socket, so what the gossip layer sees is what natm
 * would hand it (path discovery is natm's job and out of scope here). Loss, latency,
 * nodes going offline (crash, sleep) and partitions are the MemoryNetwork's; `peers()`
 * lists either all nodes or `seeds` random earlier nodes (to exercise joins). Delivery is
 * a FakeClock timer, so 10,000 nodes run in seconds.
 */
import type { Endpoint } from '../net/datagram.ts';
import type { OverlayLink, PeerView } from '../net/overlay-link.ts';
import type { FakeClock } from './fake-clock.ts';
import { MemoryNetwork } from './memory-network.ts';
import type { SimSocket } from './sim-host.ts';

export interface OverlayNetworkInit {
  latencyMs: number;
  jitterMs: number;
  loss: number;
  /** 'all': every node is a transport peer of every other; a number: that many seeds. */
  peers: 'all' | number;
  /** Seeds drawn from the nodes added before (a growing fleet) or from all (call `reseed`). */
  seedsFrom: 'earlier' | 'any';
}

const PORT = 4100;
const TYPE_NAMES = ['?', 'ping', 'ack', 'ping-req', 'gossip', 'fetch', 'chunk', 'push-pull'];
const LOST = ['loss', 'offline', 'partitioned'];

export class OverlayNetwork {
  readonly links = new Map<string, OverlayNodeLink>();
  readonly sentByType = new Map<string, number>();
  readonly net: MemoryNetwork;
  readonly init: OverlayNetworkInit;
  private readonly byAddress = new Map<string, string>();
  private allViews: PeerView[] | null = null;

  constructor(
    readonly clock: FakeClock,
    private readonly random: () => number,
    init: Partial<OverlayNetworkInit> = {},
  ) {
    this.init = { latencyMs: 20, jitterMs: 20, loss: 0, peers: 'all', seedsFrom: 'earlier', ...init };
    const { latencyMs: delayMs, jitterMs, loss } = this.init;
    this.net = new MemoryNetwork(clock, { delayMs, jitterMs, loss, random });
  }

  get delivered(): number {
    return this.net.stats.get('delivered') ?? 0;
  }

  /** Datagrams lost to loss, offline nodes or partitions (the sender cannot tell, as with UDP). */
  get dropped(): number {
    return LOST.reduce((n, reason) => n + (this.net.stats.get(reason) ?? 0), 0);
  }

  addNode(id: string): OverlayNodeLink {
    const ids = [...this.links.keys()];
    const seeds: string[] = [];
    if (this.init.peers !== 'all')
      for (let i = 0; i < this.init.peers && ids.length > 0; i++)
        seeds.push(ids.splice(Math.floor(this.random() * ids.length), 1)[0]!);
    const view = simView(id, this.links.size);
    const socket = this.net.addHost(view.external!.address).bind(PORT);
    const link = new OverlayNodeLink(this, id, seeds, socket);
    socket.onMessage((data, from) => this.receive(link, data, from));
    this.links.set(id, link);
    this.byAddress.set(view.external!.address, id);
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
    this.net.setLoss(p);
  }
  setOffline(id: string, off: boolean): void {
    this.net.setOffline(this.address(id), off);
  }
  isOffline(id: string): boolean {
    return this.net.isOffline(this.address(id));
  }
  /** Nodes in different groups cannot reach each other; nodes not listed are in group 0. */
  partition(groups: string[][]): void {
    this.net.partition(groups.map((g) => g.map((id) => this.address(id))));
  }
  heal(): void {
    this.net.heal();
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
    sender.socket.send(payload, dst.socket.local());
    return true; // like UDP: the sender cannot tell whether it arrives
  }

  private receive(link: OverlayNodeLink, data: Uint8Array, from: Endpoint): void {
    const peerId = this.byAddress.get(from.address);
    if (peerId !== undefined) link.deliver(peerId, data);
  }

  private address(id: string): string {
    const link = this.links.get(id);
    if (!link) throw new Error(`overlay-network: no node ${id}`);
    return link.socket.local().address;
  }
}

export class OverlayNodeLink implements OverlayLink {
  private msg: ((peerId: string, payload: Uint8Array) => void)[] = [];
  private change: ((peer: PeerView) => void)[] = [];
  sent = 0;

  constructor(
    private readonly net: OverlayNetwork,
    readonly selfId: string,
    public seeds: string[],
    readonly socket: SimSocket,
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
