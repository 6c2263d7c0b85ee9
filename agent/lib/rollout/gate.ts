/**
 * Gates and the halt, judged from one node's fleet view (docs/rollouts.md §Gates). Pure:
 * plan, view and `now` in; per wave its counts, its state and why.
 *
 * Halt: the rollout halts when any wave's failed + rolled back exceed errorThreshold of
 * that wave's nodes heard from (targeted − notSeen). Failures never un-happen, so a halt
 * stays once every node has heard of them.
 * Wave 1 opens at its start. Wave k > 1 opens at its start when wave k−1 is open and, over
 * all earlier waves together (E = their targeted nodes):
 *   applied ≥ gate · E                                          (every node counts), or,
 *   from start + grace on, with heard = E − notSeen − lost:
 *   heard ≥ max(1, quorum · E)  and  applied ≥ gate · heard     (silent nodes stop counting).
 * An empty E (no earlier-wave node in the view) opens at start + grace: nothing to judge.
 */
import { PPM, percent } from './policy.ts';
import { waveStartMs, type RolloutPlan } from './plan.ts';
import type { FleetView } from './fleet.ts';
import { addCounts, countWaves, zeroCounts, type WaveCounts } from './wave-counts.ts';

export type GateState = 'waiting' | 'open' | 'closed';

export interface WaveStatus extends WaveCounts {
  /** 1-based, as people count waves. */
  readonly wave: number;
  readonly startsAt: number;
  readonly gate: GateState;
  readonly reason: string;
}

export interface RolloutStatus {
  readonly halted: boolean;
  readonly haltReason: string | null;
  readonly waves: readonly WaveStatus[];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const share = (n: number, of: number): string => (of === 0 ? '-' : percent(Math.floor((n * PPM) / of)));

function haltOf(plan: RolloutPlan, counts: readonly WaveCounts[]): string | null {
  const t = plan.policy.errorThreshold;
  for (const [i, c] of counts.entries()) {
    const failures = c.failed + c.rolledBack;
    const heard = c.targeted - c.notSeen;
    if (failures * PPM > t * heard)
      return `wave ${i + 1}: ${failures} of ${heard} nodes heard from failed or rolled back (${share(failures, heard)}), more than the error threshold ${percent(t)}`;
  }
  return null;
}

function judge(
  plan: RolloutPlan,
  e: WaveCounts,
  gate: number,
  graceAt: number,
  now: number,
): [boolean, string] {
  const { quorum } = plan.policy;
  const E = e.targeted;
  if (E === 0)
    return now >= graceAt
      ? [true, 'no node of the earlier waves is in the view: nothing to judge, opened after grace']
      : [false, `no node of the earlier waves is in the view yet; opens at ${iso(graceAt)} if none appears`];
  if (e.applied * PPM >= gate * E)
    return [
      true,
      `earlier waves: ${e.applied} of ${E} applied (${share(e.applied, E)}), gate ${percent(gate)}`,
    ];
  const silent = `${e.notSeen} not seen, ${e.lost} lost`;
  if (now < graceAt)
    return [
      false,
      `earlier waves: ${e.applied} of ${E} applied (${share(e.applied, E)}), gate ${percent(gate)}; ${silent} count as not applied until ${iso(graceAt)}`,
    ];
  const heard = E - e.notSeen - e.lost;
  if (heard === 0 || heard * PPM < quorum * E)
    return [
      false,
      `earlier waves: ${heard} of ${E} heard from (${silent}), quorum ${percent(quorum)} not met`,
    ];
  if (e.applied * PPM >= gate * heard)
    return [
      true,
      `earlier waves: ${e.applied} of ${heard} heard from applied (${share(e.applied, heard)}), gate ${percent(gate)}; ${silent}`,
    ];
  return [
    false,
    `earlier waves: ${e.applied} of ${heard} heard from applied (${share(e.applied, heard)}), gate ${percent(gate)}`,
  ];
}

export function evaluateRollout(plan: RolloutPlan, fleet: FleetView, now: number): RolloutStatus {
  const counts = countWaves(plan, fleet);
  const haltReason = haltOf(plan, counts);
  const waves: WaveStatus[] = [];
  let earlier = zeroCounts();
  let prevOpen = true;
  for (const [i, c] of counts.entries()) {
    const startsAt = waveStartMs(plan, i);
    let gate: GateState;
    let reason: string;
    if (now < startsAt) [gate, reason] = ['waiting', `starts at ${iso(startsAt)}`];
    else if (haltReason) [gate, reason] = ['closed', `halted: ${haltReason}`];
    else if (!prevOpen) [gate, reason] = ['closed', `wave ${i} is not open`];
    else if (i === 0) [gate, reason] = ['open', 'the first wave opens at its start'];
    else {
      const graceAt = startsAt + plan.policy.grace * 1000;
      const [open, why] = judge(plan, earlier, plan.policy.waves[i]!.gate!, graceAt, now);
      [gate, reason] = [open ? 'open' : 'closed', why];
    }
    waves.push({ ...c, wave: i + 1, startsAt, gate, reason });
    prevOpen = gate === 'open';
    earlier = addCounts(earlier, c);
  }
  return { halted: haltReason !== null, haltReason, waves };
}
