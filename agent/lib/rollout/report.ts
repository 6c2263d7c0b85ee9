/**
 * What `p2p-update rollout status` shows (docs/rollouts.md §Status): one update's rollout as
 * one node sees it. Pure: plan, fleet view, control state and `now` in; per wave its counts,
 * its gate and, when the gate is not open, why:
 *   paused | aborted   the admin's control message (every gate, whatever the counts)
 *   halted             the error threshold
 *   too-early          before the wave's start
 *   gate               the earlier waves' success ratio (or quorum) is below the gate
 * An update without a policy is shown as one wave over every node, open at once.
 */
import type { ControlState } from './control-state.ts';
import type { FleetView } from './fleet.ts';
import { evaluateRollout, type GateState } from './gate.ts';
import { planOf, type RolloutPlan } from './plan.ts';
import { PPM } from './policy.ts';
import type { WaveCounts } from './wave-counts.ts';

export type ClosedWhy = 'paused' | 'aborted' | 'halted' | 'too-early' | 'gate';

export interface WaveReport extends WaveCounts {
  readonly wave: number;
  readonly startsAt: string;
  readonly gate: GateState;
  readonly why: ClosedWhy | null;
  readonly reason: string;
}

export interface RolloutReport {
  readonly uri: string;
  readonly version: number;
  readonly policy: boolean;
  readonly control: {
    readonly state: ControlState['state'];
    readonly seq: number;
    readonly rollback: boolean;
  };
  readonly halted: boolean;
  readonly haltReason: string | null;
  readonly waves: readonly WaveReport[];
}

/** The plan of an update without a policy: one wave over every node, open at once. */
export function noPolicyPlan(uri: string, version: number): RolloutPlan {
  const policy = {
    issued: 0,
    waves: [{ fraction: PPM, start: 0 }],
    errorThreshold: PPM,
    grace: 0,
    quorum: 0,
  };
  return planOf(uri, version, policy);
}

export function rolloutReport(
  plan: RolloutPlan,
  hasPolicy: boolean,
  fleet: FleetView,
  control: ControlState,
  now: number,
): RolloutReport {
  const s = evaluateRollout(plan, fleet, now);
  const held = control.state === 'running' ? null : control.state;
  const waves = s.waves.map((w): WaveReport => {
    const { wave, startsAt, gate, reason, ...counts } = w;
    const base = { wave, ...counts, startsAt: new Date(startsAt).toISOString() };
    if (held !== null)
      return { ...base, gate: 'closed', why: held, reason: `${held} by the admin (seq ${control.seq})` };
    const why: ClosedWhy | null =
      gate === 'open' ? null : gate === 'waiting' ? 'too-early' : s.halted ? 'halted' : 'gate';
    return { ...base, gate, why, reason };
  });
  return {
    uri: plan.uri,
    version: plan.version,
    policy: hasPolicy,
    control: { state: control.state, seq: control.seq, rollback: control.rollback },
    halted: s.halted,
    haltReason: s.haltReason,
    waves,
  };
}

const COLUMNS = ['targeted', 'downloaded', 'applied', 'failed', 'rolledBack', 'notSeen'] as const;
const HEAD = ['wave', 'targeted', 'downloaded', 'applied', 'failed', 'rolled back', 'not seen', 'gate'];

/** The report as text: a header, one row per wave, then why each closed gate is closed. */
export function formatReport(r: RolloutReport): string {
  const ctl =
    r.control.seq === 0
      ? 'running (no control message)'
      : `${r.control.state}${r.control.rollback ? ' with rollback' : ''} (seq ${r.control.seq})`;
  const lines = [
    `${r.uri} version ${r.version}: ${r.policy ? 'rollout policy' : 'no rollout policy (one wave, every node)'}; admin control: ${ctl}${r.halted ? '; HALTED' : ''}`,
  ];
  const rows = r.waves.map((w) => [String(w.wave), ...COLUMNS.map((k) => String(w[k])), w.gate]);
  const width = HEAD.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  for (const row of [HEAD, ...rows]) lines.push(row.map((c, i) => c.padStart(width[i]!)).join('  '));
  for (const w of r.waves)
    lines.push(`wave ${w.wave} (from ${w.startsAt}): ${w.gate}${w.why ? ` (${w.why})` : ''}: ${w.reason}`);
  return `${lines.join('\n')}\n`;
}
