/** Shared pieces of the 1,000-node rollout simulations: the fleet's tags, the policy, ground truth. */
import { planOf, type RolloutPlan } from '../../../agent/lib/rollout/plan.ts';
import { PPM, type RolloutPolicy } from '../../../agent/lib/rollout/policy.ts';
import { matches } from '../../../agent/lib/rollout/selector.ts';
import { parseTagString } from '../../../agent/lib/rollout/tags.ts';
import type { RolloutSim } from './rollout-sim.ts';

export const N = 1000;
export const URI = 'app:/opt/demo';
export const VERSION = 7;
/** One node in ten is an rpi3, which the policy leaves out. */
export const tagsOf = (i: number): string =>
  i % 10 === 0 ? 'hw=rpi3,site=a' : `hw=rpi4,site=${i % 3 ? 'b' : 'c'}`;

/** Canary 5 %, then 30 % at +90 s, everyone at +180 s; gates 95 %, halt above 2 %. */
export function canaryPolicy(issued: number, o: Partial<RolloutPolicy> = {}): RolloutPolicy {
  return {
    issued,
    target: 'hw!=rpi3',
    waves: [
      { fraction: 50_000, start: 0 },
      { fraction: 300_000, start: 90, gate: 950_000 },
      { fraction: PPM, start: 180, gate: 950_000 },
    ],
    errorThreshold: 20_000,
    grace: 30,
    quorum: 500_000,
    ...o,
  };
}

/** What the simulation knows and no node does: every node's targeting and wave (1-based; 0 = none). */
export class Truth {
  readonly plan: RolloutPlan;
  constructor(
    private readonly sim: RolloutSim,
    policy: RolloutPolicy,
  ) {
    this.plan = planOf(URI, VERSION, policy);
  }

  targeted(id: string): boolean {
    return !this.plan.selector || matches(this.plan.selector, parseTagString(this.sim.node(id).tagText));
  }

  wave(id: string): number {
    return this.targeted(id) ? this.plan.waves.wave(id) + 1 : 0;
  }

  /** Targeted nodes of wave w (1-based). */
  inWave(w: number): string[] {
    return this.sim.ids.filter((id) => this.wave(id) === w);
  }

  /** Share of the live targeted nodes of waves before `w` that have applied, now. */
  appliedBefore(w: number): number {
    const earlier = this.sim.live.filter((id) => this.wave(id) > 0 && this.wave(id) < w);
    return (
      earlier.filter((id) => this.sim.node(id).outcome === 'applied').length / Math.max(1, earlier.length)
    );
  }
}

export const secondsSince = (sim: RolloutSim, t0: number, at = sim.clock.now()): number =>
  Math.round((at - t0) / 100) / 10;
