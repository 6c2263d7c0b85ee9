/**
 * Counting a fleet view per wave (docs/rollouts.md §Gates). Every node falls in exactly one
 * column of its wave:
 *   applied, failed, rolledBack — its signed record gives that outcome for this update;
 *   lost       — signed record, no final outcome, and the member is dead;
 *   downloaded — signed record says downloaded (not yet installed);
 *   waiting    — signed record, nothing yet about this update;
 *   notSeen    — a member with no signed record: its tags are unknown, so it may be targeted.
 * A signed record whose tags the selector does not match is not counted at all; neither is a
 * node whose rank falls past the last wave. targeted = the sum of the columns.
 */
import type { FleetView } from './fleet.ts';
import type { RolloutPlan } from './plan.ts';
import { matches } from './selector.ts';

export interface WaveCounts {
  targeted: number;
  waiting: number;
  downloaded: number;
  applied: number;
  failed: number;
  rolledBack: number;
  lost: number;
  notSeen: number;
}

export const zeroCounts = (): WaveCounts => ({
  targeted: 0,
  waiting: 0,
  downloaded: 0,
  applied: 0,
  failed: 0,
  rolledBack: 0,
  lost: 0,
  notSeen: 0,
});

export function addCounts(a: WaveCounts, b: WaveCounts): WaveCounts {
  const out = zeroCounts();
  for (const k of Object.keys(out) as (keyof WaveCounts)[]) out[k] = a[k] + b[k];
  return out;
}

export function countWaves(plan: RolloutPlan, fleet: FleetView): WaveCounts[] {
  const counts = plan.policy.waves.map(zeroCounts);
  const seen = new Set<string>();
  for (const r of fleet.records) {
    if (!r.signed || seen.has(r.node)) continue;
    seen.add(r.node);
    if (plan.selector && !matches(plan.selector, r.tags)) continue;
    const c = counts[plan.waves.wave(r.node)];
    if (!c) continue;
    c.targeted++;
    const o = r.outcomes.get(plan.key);
    if (o === 'applied') c.applied++;
    else if (o === 'failed') c.failed++;
    else if (o === 'rolled-back') c.rolledBack++;
    else if (fleet.members.get(r.node) === 'dead') c.lost++;
    else if (o === 'downloaded') c.downloaded++;
    else c.waiting++;
  }
  for (const id of fleet.members.keys()) {
    if (seen.has(id)) continue;
    const c = counts[plan.waves.wave(id)];
    if (!c) continue;
    c.targeted++;
    c.notSeen++;
  }
  return counts;
}
