/** Building fleet views for gate tests: node ids sorted into waves, signed and forged records. */
import { createHash } from 'node:crypto';
import {
  updateKey,
  type FleetRecord,
  type FleetView,
  type MemberStatus,
  type Outcome,
} from '../../agent/lib/rollout/fleet.ts';
import type { RolloutPlan } from '../../agent/lib/rollout/plan.ts';
import { parseTags } from '../../agent/lib/rollout/tags.ts';

/** `per` node ids for each wave of the plan (index = wave), plus ids in no wave at [waves.length]. */
export function idsByWave(plan: RolloutPlan, per: number): string[][] {
  const out = [...plan.policy.waves, null].map(() => [] as string[]);
  for (let i = 0; out.some((l) => l.length < per) && i < 1_000_000; i++) {
    const id = createHash('sha256').update(`n${i}`).digest('hex').slice(0, 32);
    const w = plan.waves.wave(id);
    const list = out[w < 0 ? plan.policy.waves.length : w]!;
    if (list.length < per) list.push(id);
  }
  return out;
}

export interface RecOpts {
  signed?: boolean;
  tags?: string[];
}

export function rec(plan: RolloutPlan, node: string, outcome?: Outcome, o: RecOpts = {}): FleetRecord {
  const outcomes = new Map<string, Outcome>();
  if (outcome) outcomes.set(updateKey(plan.uri, plan.version), outcome);
  return { node, signed: o.signed ?? true, tags: parseTags(o.tags ?? ['hw=rpi4']), outcomes };
}

/** Records plus members: every record's node is an alive member unless `members` says otherwise. */
export function view(records: FleetRecord[], members: Record<string, MemberStatus> = {}): FleetView {
  const m = new Map<string, MemberStatus>();
  for (const r of records) m.set(r.node, 'alive');
  for (const [id, s] of Object.entries(members)) m.set(id, s);
  return { records, members: m };
}
