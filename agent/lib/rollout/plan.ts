/**
 * A rollout plan: one update's policy, bound to its uri and version, with the selector
 * parsed once and the nodes' waves memoised. Built by the node from a verified
 * torrent-file++; everything downstream (gates, shouldInstall, status) takes a plan.
 */
import { checkPolicy, type RolloutPolicy } from './policy.ts';
import { WaveMemo } from './rank.ts';
import { parseSelector, type Selector } from './selector.ts';
import { updateKey } from './fleet.ts';

export interface RolloutPlan {
  readonly uri: string;
  readonly version: number;
  /** updateKey(uri, version): where a record's outcome for this update is found. */
  readonly key: string;
  readonly policy: RolloutPolicy;
  /** null: every node is targeted. */
  readonly selector: Selector | null;
  readonly waves: WaveMemo;
}

export function planOf(uri: string, version: number, policy: RolloutPolicy): RolloutPlan {
  checkPolicy(policy);
  return {
    uri,
    version,
    key: updateKey(uri, version),
    policy,
    selector: policy.target === undefined ? null : parseSelector(policy.target),
    waves: new WaveMemo(uri, version, policy.waves),
  };
}

/** Milliseconds since the epoch at which wave `i` may start. */
export function waveStartMs(plan: RolloutPlan, i: number): number {
  return (plan.policy.issued + plan.policy.waves[i]!.start) * 1000;
}
