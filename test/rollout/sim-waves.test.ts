/**
 * 1,000 simulated nodes, a canary rollout with no failures (docs/rollouts.md §Simulation):
 * every node downloads at once; each installs when its own fleet view opens its wave's gate;
 * waves open in order and on time, and no node opens a gate before the truth allows it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Decision } from '../../agent/lib/rollout/should-install.ts';
import { RolloutSim } from './sim/rollout-sim.ts';
import type { SimNode } from './sim/sim-node.ts';
import { canaryPolicy, N, secondsSince, tagsOf, Truth } from './sim/scenario.ts';

describe('1,000 nodes: waves open in order and on time', () => {
  let sim: RolloutSim;
  let truth: Truth;
  let t0 = 0;
  /** At each install decision: the node's wave and the true applied share of earlier waves. */
  const decisions: { id: string; wave: number; at: number; trueShare: number }[] = [];

  before(async () => {
    sim = await RolloutSim.create({
      n: N,
      seed: 11,
      tagsOf,
      onInstall: (node: SimNode, d: Decision) =>
        decisions.push({
          id: node.id,
          wave: d.wave ?? 0,
          at: sim.clock.now(),
          trueShare: truth.appliedBefore(d.wave ?? 0),
        }),
    });
    await sim.run(5_000); // membership settles
    t0 = Math.ceil(sim.clock.now() / 1000) * 1000;
    await sim.run(t0 - sim.clock.now());
    const policy = canaryPolicy(t0 / 1000);
    truth = new Truth(sim, policy);
    await sim.publishUpdate('n1', policy);
    await sim.run(200_000);
  });
  after(() => sim.stop());

  it('every targeted node applies it; no node the selector leaves out installs', (t) => {
    const targeted = sim.ids.filter((id) => truth.targeted(id));
    const notApplied = targeted.filter((id) => sim.node(id).outcome !== 'applied');
    assert.deepEqual(notApplied, []);
    const rpi3 = sim.ids.filter((id) => !truth.targeted(id));
    assert.equal(rpi3.length, 100);
    assert.deepEqual(
      rpi3.filter((id) => sim.node(id).installAt >= 0),
      [],
    );
    const sizes = [1, 2, 3].map((w) => truth.inWave(w).length);
    t.diagnostic(`targeted ${targeted.length}; per wave ${sizes.join(' / ')}`);
    assert.equal(sizes[0]! + sizes[1]! + sizes[2]!, 900);
    assert.ok(sizes[0]! >= 25 && sizes[0]! <= 70, `canary ${sizes[0]} of 900 at 5%`);
  });

  it('each wave installs from its start on, and all of it within 10 s of its start (wave 1: 30 s, it downloads first)', (t) => {
    for (const [w, start, within] of [
      [1, 0, 30],
      [2, 90, 10],
      [3, 180, 10],
    ] as const) {
      const times = decisions.filter((d) => d.wave === w).map((d) => secondsSince(sim, t0, d.at));
      assert.equal(times.length, truth.inWave(w).length, `wave ${w}: every node decided once`);
      const first = Math.min(...times);
      const last = Math.max(...times);
      t.diagnostic(
        `wave ${w}: ${times.length} nodes installed from +${first} s to +${last} s (start +${start} s)`,
      );
      assert.ok(first >= start, `wave ${w} installed at +${first} s, before its start +${start} s`);
      assert.ok(last <= start + within, `wave ${w}: last install at +${last} s, bound +${start + within} s`);
    }
  });

  it('no node opened a gate before 95% of the earlier waves had truly applied', (t) => {
    const later = decisions.filter((d) => d.wave > 1);
    const lowest = Math.min(...later.map((d) => d.trueShare));
    t.diagnostic(
      `lowest true applied share of earlier waves at a wave 2/3 install decision: ${(lowest * 100).toFixed(1)}%`,
    );
    assert.ok(lowest >= 0.95, `a node installed when only ${(lowest * 100).toFixed(1)}% had applied`);
  });
});
