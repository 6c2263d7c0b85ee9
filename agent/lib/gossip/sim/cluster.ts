/**
 * A simulated fleet: N GossipNodes on a OverlayNetwork with a FakeClock, each with a fake
 * manager that accepts a notification after `verifyDelayMs` (by parsing its header) unless
 * its id is in `refused`, then relays it (docs/protocol/ipc.md: notification → relay).
 */
import { FakeClock } from '../../simnet/fake-clock.ts';
import type { GossipInit } from '../config.ts';
import { GossipNode } from '../gossip-node.ts';
import { blobHeader, makeBlob } from './blob.ts';
import { OverlayNetwork, type OverlayNetworkInit } from '../../simnet/overlay-network.ts';
import { mulberry32 } from '../../simnet/prng.ts';

export interface ClusterInit {
  n: number;
  seed: number;
  net: Partial<OverlayNetworkInit>;
  gossip: Partial<GossipInit>;
  verifyDelayMs: number;
}

export class SimCluster {
  readonly clock = new FakeClock();
  readonly random: () => number;
  readonly net: OverlayNetwork;
  readonly nodes = new Map<string, GossipNode>();
  readonly ids: string[] = [];
  readonly refused = new Set<string>();
  /** Notifications each node's manager was offered (id → count of nodes). */
  readonly offered = new Map<string, number>();
  /** Who each notification was fetched from (id → sender ids). */
  readonly offeredFrom = new Map<string, Set<string>>();
  readonly init: ClusterInit;

  constructor(init: Partial<ClusterInit> = {}) {
    this.init = { n: 10, seed: 1, net: {}, gossip: {}, verifyDelayMs: 5, ...init };
    this.random = mulberry32(this.init.seed);
    this.net = new OverlayNetwork(this.clock, this.random, this.init.net);
    for (let i = 0; i < this.init.n; i++) this.ids.push(`n${i}`);
    for (const id of this.ids) this.net.addNode(id);
    if (this.net.init.seedsFrom === 'any') this.net.reseed();
    for (const id of this.ids) this.spawn(id);
  }

  node(id: string): GossipNode {
    return this.nodes.get(id)!;
  }

  /** Start (or restart after a crash) a fresh node process on `id`'s link. */
  spawn(id: string): GossipNode {
    const link = this.net.links.get(id)!;
    link.reset();
    const node = new GossipNode({ link, clock: this.clock, random: this.random }, this.init.gossip);
    node.onNotification((nid, bytes, from) => {
      this.offered.set(nid, (this.offered.get(nid) ?? 0) + 1);
      if (!this.offeredFrom.has(nid)) this.offeredFrom.set(nid, new Set());
      this.offeredFrom.get(nid)!.add(from);
      this.clock.setTimeout(() => {
        const hdr = blobHeader(bytes);
        if (!hdr) node.refuse(nid, 'MALFORMED');
        else if (this.refused.has(nid)) node.refuse(nid, 'ROLLBACK');
        else node.relay(nid, bytes, hdr);
      }, this.init.verifyDelayMs);
    });
    this.nodes.set(id, node);
    node.start();
    return node;
  }

  crash(id: string): void {
    this.node(id).stop();
    this.net.setOffline(id, true);
  }

  restart(id: string): GossipNode {
    this.net.setOffline(id, false);
    return this.spawn(id);
  }

  /** The origin's manager publishes a new notification: relay it at `from`. */
  publish(from: string, uri: string, version: number, size: number): string {
    const { id, bytes } = makeBlob(uri, version, size);
    this.node(from).relay(id, bytes, { uri, version });
    return id;
  }

  holders(nid: string, among: readonly string[] = this.ids): number {
    let n = 0;
    for (const id of among) if (this.node(id).notifications.store.get(nid)) n++;
    return n;
  }

  /** Advance until `pred` or `maxMs`; returns simulated ms taken, or -1. */
  runUntil(pred: () => boolean, maxMs: number, stepMs = 100): number {
    const start = this.clock.now();
    while (!pred()) {
      if (this.clock.now() - start >= maxMs) return -1;
      this.clock.advance(stepMs);
    }
    return this.clock.now() - start;
  }

  /** Messages sent by each node (all types), from the network's counters. */
  sentPerNode(among: readonly string[] = this.ids): number[] {
    return among.map((id) => this.net.links.get(id)!.sent);
  }

  stop(): void {
    for (const n of this.nodes.values()) n.stop();
  }
}
