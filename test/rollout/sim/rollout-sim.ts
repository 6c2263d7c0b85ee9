/**
 * A simulated fleet for rollouts: N real GossipNodes (SWIM, notifications, anti-entropy) on a
 * OverlayNetwork with a FakeClock, each with a rollout manager (sim-node.ts) and a report plane
 * (report-plane.ts) on a second OverlayNetwork. The admin publishes a real signed torrent-file++
 * and real control messages at one node; gossip carries them. `run` advances the clock in
 * steps and lets pending verifications (async, as in the manager) finish between steps.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sodium } from '../../../agent/lib/crypto/sodium.ts';
import { GossipNode } from '../../../agent/lib/gossip/gossip-node.ts';
import { OverlayNetwork } from '../../../agent/lib/simnet/overlay-network.ts';
import { createTorrentPlusPlus } from '../../../agent/lib/metainfo/create.ts';
import { signControl, type ControlMessage } from '../../../agent/lib/rollout/control.ts';
import type { RolloutPolicy } from '../../../agent/lib/rollout/policy.ts';
import { FakeClock } from '../../../agent/lib/simnet/fake-clock.ts';
import { mulberry32 } from '../../../agent/lib/simnet/prng.ts';
import { makeAdmin, tempDir, type Admin } from '../../helpers/fixtures.ts';
import { ReportPlane } from './report-plane.ts';
import { ReportRegistry, type NodeKey, type Sodium } from './report.ts';
import { SimNode, type SimNodeEnv } from './sim-node.ts';

export interface RolloutSimInit {
  n: number;
  seed: number;
  /** Tag text of node i (k=v,k=v). */
  tagsOf: (i: number) => string;
  evalMs: number;
  loss: number;
  onInstall?: SimNodeEnv['onInstall'];
}

export class RolloutSim {
  readonly clock = new FakeClock();
  readonly random: () => number;
  readonly net: OverlayNetwork;
  readonly reportNet: OverlayNetwork;
  readonly ids: string[] = [];
  readonly gossip = new Map<string, GossipNode>();
  readonly nodes = new Map<string, SimNode>();
  readonly keys = new Map<string, NodeKey>();
  readonly failing = new Set<string>();
  readonly crashed = new Set<string>();
  registry!: ReportRegistry;
  na!: Sodium;

  private constructor(
    readonly init: RolloutSimInit,
    readonly admin: Admin,
  ) {
    this.random = mulberry32(init.seed);
    this.net = new OverlayNetwork(this.clock, this.random, { loss: init.loss });
    this.reportNet = new OverlayNetwork(this.clock, this.random, { loss: init.loss });
  }

  static async create(init: Partial<RolloutSimInit> = {}): Promise<RolloutSim> {
    const full = { n: 100, seed: 1, tagsOf: () => 'hw=rpi4', evalMs: 5_000, loss: 0, ...init };
    const sim = new RolloutSim(full, await makeAdmin());
    sim.na = await sodium();
    sim.registry = new ReportRegistry(sim.na, (id) => sim.keys.get(id)?.publicKey);
    for (let i = 0; i < full.n; i++) {
      const id = `n${i}`;
      sim.ids.push(id);
      const kp = sim.na.crypto_sign_keypair();
      sim.keys.set(id, { publicKey: kp.publicKey, secretKey: kp.privateKey });
      sim.net.addNode(id);
      sim.reportNet.addNode(id);
    }
    for (const [i, id] of sim.ids.entries()) sim.spawn(id, i);
    return sim;
  }

  private spawn(id: string, i: number): void {
    const g = new GossipNode({ link: this.net.links.get(id)!, clock: this.clock, random: this.random });
    this.gossip.set(id, g);
    const plane = new ReportPlane({
      link: this.reportNet.links.get(id)!,
      clock: this.clock,
      random: this.random,
      gossip: () => this.gossip.get(id)!,
      registry: this.registry,
      fleetSize: this.init.n,
    });
    const env: SimNodeEnv = {
      clock: this.clock,
      random: this.random,
      na: this.na,
      registry: this.registry,
      admins: [this.admin.pub],
      failing: this.failing,
      evalMs: this.init.evalMs,
      ...(this.init.onInstall ? { onInstall: this.init.onInstall } : {}),
    };
    const node = new SimNode(
      id,
      this.init.tagsOf(i),
      this.keys.get(id)!,
      () => this.gossip.get(id)!,
      plane,
      env,
    );
    this.nodes.set(id, node);
    g.start();
    plane.start();
    node.attach(g);
  }

  node(id: string): SimNode {
    return this.nodes.get(id)!;
  }

  get live(): string[] {
    return this.ids.filter((id) => !this.crashed.has(id));
  }

  /** A node stops: its processes end and its links go silent. */
  crash(id: string): void {
    this.crashed.add(id);
    this.gossip.get(id)!.stop();
    this.node(id).stop();
    this.node(id).plane.stop();
    this.net.setOffline(id, true);
    this.reportNet.setOffline(id, true);
  }

  /** The admin signs an update with `policy` and hands it to the manager of `from`. */
  async publishUpdate(from: string, policy: RolloutPolicy | undefined, version = 7): Promise<Uint8Array> {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'payload.bin');
      await writeFile(path, Buffer.alloc(4096, 7));
      const bytes = await createTorrentPlusPlus(path, {
        uri: 'app:/opt/demo',
        version,
        key: this.admin.secret,
        now: this.clock.now(),
        ...(policy ? { rollout: policy } : {}),
      });
      await this.node(from).take(createHash('sha256').update(bytes).digest('hex'), bytes);
      return bytes;
    } finally {
      await dir.cleanup();
    }
  }

  /** The admin's control message, signed by `keys`, handed to the manager of `from`. */
  async publishControl(from: string, c: ControlMessage, keys = [this.admin.secret]): Promise<Uint8Array> {
    const bytes = await signControl(c, keys);
    await this.node(from).take(createHash('sha256').update(bytes).digest('hex'), bytes);
    return bytes;
  }

  /** Advance `ms` in steps, letting async verifications finish between steps. */
  async run(ms: number, stepMs = 100): Promise<void> {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      this.clock.advance(Math.min(stepMs, end - this.clock.now()));
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Advance until `pred` or `maxMs`; simulated ms taken, or -1. */
  async runUntil(pred: () => boolean, maxMs: number, stepMs = 100): Promise<number> {
    const start = this.clock.now();
    while (!pred()) {
      if (this.clock.now() - start >= maxMs) return -1;
      await this.run(stepMs, stepMs);
    }
    return this.clock.now() - start;
  }

  stop(): void {
    for (const id of this.ids) {
      this.gossip.get(id)!.stop();
      this.node(id).stop();
      this.node(id).plane.stop();
    }
  }
}
