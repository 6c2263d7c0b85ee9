/**
 * The one question the manager asks before deploying a downloaded update
 * (docs/rollouts.md §Deciding): may this node install it now? Pure: plan (null when the
 * torrent-file++ carries no policy), the node itself, its fleet view, the update's control
 * state and `now` in; a decision and why out. Checked in this order:
 *   aborted → paused → no policy (install) → not targeted → past the last wave →
 *   before the wave's start → halted → the wave's gate.
 */
import type { ControlState } from './control-state.ts';
import type { FleetView } from './fleet.ts';
import { evaluateRollout } from './gate.ts';
import { waveStartMs, type RolloutPlan } from './plan.ts';
import { percent } from './policy.ts';
import { formatSelector, matches } from './selector.ts';
import { formatTags, type Tags } from './tags.ts';

export interface Self {
  readonly id: string;
  readonly tags: Tags;
}

export interface Decision {
  readonly install: boolean;
  readonly reason: string;
  /** The node's wave, 1-based; absent when it has none (no policy, not targeted, past the last). */
  readonly wave?: number;
  /** Aborted with rollback: a node that applied the update rolls it back. */
  readonly rollback?: boolean;
}

export function shouldInstall(
  plan: RolloutPlan | null,
  self: Self,
  fleet: FleetView,
  control: ControlState,
  now: number,
): Decision {
  if (control.state === 'aborted')
    return {
      install: false,
      reason: `aborted by the admin (seq ${control.seq})`,
      rollback: control.rollback,
    };
  if (control.state === 'paused')
    return { install: false, reason: `paused by the admin (seq ${control.seq})` };
  if (!plan) return { install: true, reason: 'no rollout policy' };
  if (plan.selector && !matches(plan.selector, self.tags))
    return {
      install: false,
      reason: `not targeted: tags "${formatTags(self.tags)}" do not match "${formatSelector(plan.selector)}"`,
    };
  const w = plan.waves.wave(self.id);
  const waves = plan.policy.waves;
  if (w < 0)
    return {
      install: false,
      reason: `not in any wave: the last covers ${percent(waves.at(-1)!.fraction)} of targeted nodes`,
    };
  const wave = w + 1;
  const start = waveStartMs(plan, w);
  if (now < start)
    return { install: false, wave, reason: `wave ${wave} starts at ${new Date(start).toISOString()}` };
  const status = evaluateRollout(plan, fleet, now);
  if (status.halted) return { install: false, wave, reason: `halted: ${status.haltReason}` };
  const g = status.waves[w]!;
  return { install: g.gate === 'open', wave, reason: `wave ${wave} ${g.gate}: ${g.reason}` };
}
