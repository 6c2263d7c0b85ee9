/**
 * The manager's rollout gate (docs/rollouts.md §Deciding): before each deploy attempt of an
 * update whose signed info carries a rollout policy, the driver asks `decide`. The answer
 * comes from shouldInstall over the latest fleet view natm gave (`members` replies, asked
 * every `pollMs` by the manager); `onMembers` says whether the view changed in a way that
 * can change a decision (then the waiting drivers are woken). Without natm (no overlay) the
 * view is the node alone: the first wave opens at its start, later ones after grace.
 */
import type { FleetView } from '../lib/rollout/fleet.ts';
import { evaluateRollout } from '../lib/rollout/gate.ts';
import { planOf, type RolloutPlan } from '../lib/rollout/plan.ts';
import type { RolloutPolicy } from '../lib/rollout/policy.ts';
import { shouldInstall, type Decision } from '../lib/rollout/should-install.ts';
import type { Tags } from '../lib/rollout/tags.ts';
import { ControlBook } from './control-book.ts';
import { fleetOf } from './rollout-fleet.ts';

const NO_FLEET: FleetView = { records: [], members: new Map() };

export interface GateAnswer {
  readonly install: boolean;
  /** One line for status and logs: why it installs, or what it waits for. */
  readonly line: string;
}

export interface MembersSnapshot {
  readonly nodeId: string;
  readonly members: readonly unknown[];
}

/** What the gate needs of an update record. */
export interface Gated {
  readonly version: number;
  readonly rollout?: RolloutPolicy;
}

export class RolloutGate {
  private snapshot: MembersSnapshot | null = null;
  private digest = '';
  private readonly plans = new Map<string, RolloutPlan>();
  /** The admin's control messages (pause, resume, abort) per update. */
  readonly controls: ControlBook;

  constructor(
    private readonly c: {
      readonly tags: Tags;
      /** True when the manager runs with natm: decisions then wait for its first view. */
      readonly overlay: boolean;
      readonly now: () => number;
      /** Absent: an empty book in memory. */
      readonly controls?: ControlBook;
    },
  ) {
    this.controls = c.controls ?? new ControlBook();
  }

  /** A `members` reply; true when something a gate counts changed since the last one. */
  onMembers(s: MembersSnapshot): boolean {
    this.snapshot = s;
    const rows = s.members.map((m) => {
      const r = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>;
      return [
        r['id'],
        r['status'],
        r['stateSeq'],
        r['signed'],
        r['tags'],
        r['applied'],
        r['current'],
        r['failed'],
        r['rolledBack'],
      ];
    });
    const d = JSON.stringify([s.nodeId, rows]);
    const changed = d !== this.digest;
    this.digest = d;
    return changed;
  }

  decide(uri: string, u: Gated): GateAnswer {
    const control = this.controls.state(uri, u.version);
    if (!u.rollout) {
      const d = shouldInstall(null, { id: '', tags: this.c.tags }, NO_FLEET, control, this.c.now());
      return { install: d.install, line: d.install ? d.reason : `waiting: ${d.reason}` };
    }
    const plan = this.planFor(uri, u.version, u.rollout);
    if (this.c.overlay && this.snapshot === null)
      return { install: false, line: 'waiting for the fleet view from natm (no members reply yet)' };
    const self = this.snapshot?.nodeId ?? '';
    const fleet: FleetView = this.snapshot
      ? fleetOf(plan, this.snapshot.members)
      : { records: [], members: new Map([[self, 'alive']]) };
    const now = this.c.now();
    const d = shouldInstall(plan, { id: self, tags: this.c.tags }, fleet, control, now);
    return { install: d.install, line: lineOf(plan, fleet, d, now) };
  }

  private planFor(uri: string, version: number, policy: RolloutPolicy): RolloutPlan {
    const key = `${uri}@${version}`;
    let p = this.plans.get(key);
    if (!p) {
      if (this.plans.size >= 64) this.plans.clear();
      p = planOf(uri, version, policy);
      this.plans.set(key, p);
    }
    return p;
  }
}

/** "waiting for wave 2 gate (40/42 succeeded): <why>", or the decision's reason as it is. */
export function lineOf(plan: RolloutPlan, fleet: FleetView, d: Decision, now: number): string {
  if (d.install) return d.reason;
  const w = d.wave;
  if (w === undefined || w < 2 || !d.reason.startsWith(`wave ${w} closed`)) return `waiting: ${d.reason}`;
  const earlier = evaluateRollout(plan, fleet, now).waves.slice(0, w - 1);
  const applied = earlier.reduce((n, s) => n + s.applied, 0);
  const targeted = earlier.reduce((n, s) => n + s.targeted, 0);
  return `waiting for wave ${w} gate (${applied}/${targeted} succeeded): ${d.reason.slice(`wave ${w} closed: `.length)}`;
}
