/**
 * A simulated node's manager for rollouts: it verifies what gossip fetched (torrent-file++
 * with the real verifier, control messages with openControl), downloads, asks shouldInstall
 * every `evalMs` from its own fleet view (its report plane + its SWIM table), installs, and
 * publishes its signed report at each step. Deploys are simulated: a node in `failing` fails
 * its health check (`failed`), then rolls back to the version it ran before (`rolled-back`,
 * ROLLBACK_MS later), as the manager and the executor do (docs/rollouts.md §Health checks).
 */
import type { Timer } from '../../../agent/lib/common/clock.ts';
import type { PublicKey } from '../../../agent/lib/crypto/keys.ts';
import type { GossipNode } from '../../../agent/lib/gossip/gossip-node.ts';
import { verifyTorrentPlusPlus } from '../../../agent/lib/metainfo/verify.ts';
import { controlKey } from '../../../agent/lib/rollout/control.ts';
import {
  initialControl,
  reduceControl,
  type ControlState,
} from '../../../agent/lib/rollout/control-state.ts';
import { openControl } from '../../../agent/lib/rollout/control-verify.ts';
import type { FleetRecord, FleetView, MemberStatus, Outcome } from '../../../agent/lib/rollout/fleet.ts';
import { planOf, type RolloutPlan } from '../../../agent/lib/rollout/plan.ts';
import { shouldInstall, type Decision } from '../../../agent/lib/rollout/should-install.ts';
import { parseTagString, type Tags } from '../../../agent/lib/rollout/tags.ts';
import type { FakeClock } from '../../../agent/lib/simnet/fake-clock.ts';
import type { ReportPlane } from './report-plane.ts';
import { signReport, type NodeKey, type ReportRegistry, type Sodium } from './report.ts';

/** Health-check retries plus the executor's rollback deploy (fixed: no random draw, so seeded runs keep their course). */
const ROLLBACK_MS = 3_000;

export interface SimNodeEnv {
  readonly clock: FakeClock;
  readonly random: () => number;
  readonly na: Sodium;
  readonly registry: ReportRegistry;
  readonly admins: readonly PublicKey[];
  readonly failing: ReadonlySet<string>;
  readonly evalMs: number;
  /** Called when a node decides to install (for the test's ground-truth checks). */
  readonly onInstall?: (node: SimNode, d: Decision) => void;
}

export class SimNode {
  plan: RolloutPlan | null = null;
  control: ControlState | null = null;
  outcome: Outcome | '' = '';
  /** The version this node runs: 0 (the one before this rollout) until it applies the update. */
  running = 0;
  installAt = -1;
  controlAt = -1;
  lastDecision: Decision | null = null;
  refusedControls = 0;
  private seq = 0;
  private stopped = false;
  private timer: Timer | null = null;
  private key = '';
  private version = 0;

  constructor(
    readonly id: string,
    readonly tagText: string,
    private readonly nodeKey: NodeKey,
    private readonly gossip: () => GossipNode,
    readonly plane: ReportPlane,
    private readonly env: SimNodeEnv,
  ) {}

  get tags(): Tags {
    return parseTagString(this.tagText);
  }

  /** Hook the node's (current) GossipNode: every notification comes here. The node reports from its first download on. */
  attach(g: GossipNode): void {
    g.onNotification((nid, bytes) => void this.offered(g, nid, bytes));
  }

  /** What the node's manager is handed: by gossip, or by the admin at the origin. */
  take(nid: string, bytes: Uint8Array): Promise<void> {
    return this.offered(this.gossip(), nid, bytes);
  }

  private async offered(g: GossipNode, nid: string, bytes: Uint8Array): Promise<void> {
    if (this.stopped) return;
    if (Buffer.from(bytes.subarray(0, 10)).toString() === 'd7:control') return this.onControl(g, nid, bytes);
    try {
      const u = await verifyTorrentPlusPlus(bytes, { trusted: this.env.admins, now: this.env.clock.now() });
      g.relay(nid, bytes, { uri: u.uri, version: u.version });
      if (this.plan) return;
      this.plan = u.rollout ? planOf(u.uri, u.version, u.rollout) : null;
      this.key = `${u.uri}@${u.version}`;
      this.version = u.version;
      this.control ??= initialControl(u.uri, u.version);
      this.env.clock.setTimeout(() => this.downloaded(), 5_000 + this.env.random() * 15_000);
    } catch {
      g.refuse(nid);
    }
  }

  private async onControl(g: GossipNode, nid: string, bytes: Uint8Array): Promise<void> {
    try {
      const c = await openControl(bytes, { trusted: this.env.admins });
      const before = this.control ?? initialControl(c.uri, c.version);
      const after = reduceControl(before, c);
      if (after === before) throw new Error('not newer');
      this.control = after;
      this.controlAt = this.env.clock.now();
      g.relay(nid, bytes, { uri: controlKey(c.uri, c.version), version: c.seq });
      if (after.rollback && this.outcome === 'applied') this.rollBack();
    } catch {
      this.refusedControls++;
      g.refuse(nid);
    }
  }

  private downloaded(): void {
    if (this.stopped) return;
    this.setOutcome('downloaded');
    this.timer = this.env.clock.setInterval(() => this.evaluate(), this.env.evalMs);
  }

  private evaluate(): void {
    if (!this.control) return;
    const d = shouldInstall(
      this.plan,
      { id: this.id, tags: this.tags },
      this.view(),
      this.control,
      this.env.clock.now(),
    );
    this.lastDecision = d;
    if (!d.install) return;
    this.timer?.cancel();
    this.timer = null;
    this.installAt = this.env.clock.now();
    this.env.onInstall?.(this, d);
    this.env.clock.setTimeout(
      () => {
        if (this.stopped) return;
        if (this.env.failing.has(this.id)) {
          this.setOutcome('failed'); // its health check failed: back to the version before
          this.env.clock.setTimeout(() => void (this.stopped || this.rollBack()), ROLLBACK_MS);
          return;
        }
        this.running = this.version;
        this.setOutcome('applied');
        if (this.control?.rollback) this.rollBack();
      },
      2_000 + this.env.random() * 6_000,
    );
  }

  private rollBack(): void {
    this.running = 0;
    this.setOutcome('rolled-back');
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private setOutcome(o: Outcome): void {
    this.outcome = o;
    this.publish();
  }

  private publish(): void {
    this.seq = Math.max(this.seq + 1, Math.floor(this.env.clock.now()));
    const r = { node: this.id, seq: this.seq, tags: this.tagText, key: this.key, outcome: this.outcome };
    this.plane.publish(this.env.registry.add(signReport(this.env.na, r, this.nodeKey)));
  }

  /** This node's fleet view: its report plane's records and its SWIM members, each built once if read. */
  view(): FleetView {
    const plane = this.plane;
    const table = () => this.gossip().membership.table;
    const id = this.id;
    let records: FleetRecord[] | undefined;
    let members: Map<string, MemberStatus> | undefined;
    return {
      get records() {
        return (records ??= plane.records());
      },
      get members() {
        if (!members) {
          members = new Map<string, MemberStatus>([[id, 'alive']]);
          for (const m of table().all()) if (m.id !== id) members.set(m.id, m.status);
        }
        return members;
      },
    };
  }
}
