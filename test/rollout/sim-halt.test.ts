/**
 * 1,000 simulated nodes, a canary rollout where 5 % of the canary wave fails its deploy
 * (docs/rollouts.md §Simulation): the failures spread in signed reports, the error threshold
 * (2 %) halts the rollout — canary nodes that had not installed yet stop too — and no node of wave 2 or 3 installs — it was downloaded and seeded
 * everywhere, and the halt reason is what every undecided node says.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RolloutSim } from './sim/rollout-sim.ts';
import { canaryPolicy, N, secondsSince, tagsOf, Truth } from './sim/scenario.ts';

const VERSION = 7;

describe('1,000 nodes: 5 % failures in the canary wave halt the rollout before wave 2', () => {
  let sim: RolloutSim;
  let truth: Truth;
  let t0 = 0;
  let failing: string[] = [];

  before(async () => {
    sim = await RolloutSim.create({ n: N, seed: 12, tagsOf });
    await sim.run(5_000);
    t0 = Math.ceil(sim.clock.now() / 1000) * 1000;
    await sim.run(t0 - sim.clock.now());
    const policy = canaryPolicy(t0 / 1000);
    truth = new Truth(sim, policy);
    const canary = truth.inWave(1);
    failing = canary.slice(0, Math.ceil(canary.length * 0.05));
    for (const id of failing) sim.failing.add(id);
    await sim.publishUpdate('n1', policy, VERSION);
    await sim.run(150_000); // past wave 2's start (+90 s) and its grace (+120 s)
  });
  after(() => sim.stop());

  it('canary nodes that installed: failing ones rolled back to the version before, the others applied it; the halt stopped the rest of the canary too', (t) => {
    const canary = truth.inWave(1);
    const installed = canary.filter((id) => sim.node(id).installAt >= 0);
    const held = canary.filter((id) => sim.node(id).installAt < 0);
    t.diagnostic(
      `canary ${canary.length} nodes, ${failing.length} failing; ${installed.length} installed, ${held.length} held by the halt; t = +${secondsSince(sim, t0)} s`,
    );
    assert.ok(failing.length >= 2, `failing ${failing.length}`);
    const wrong = installed.filter(
      (id) => sim.node(id).outcome !== (failing.includes(id) ? 'rolled-back' : 'applied'),
    );
    assert.deepEqual(wrong, []);
    const version = (id: string) => sim.node(id).running;
    assert.deepEqual(
      installed.filter((id) => version(id) !== (failing.includes(id) ? 0 : VERSION)),
      [],
      'failing nodes run the version before again; the others run the update',
    );
    assert.ok(installed.filter((id) => failing.includes(id)).length >= 1, 'no failing node installed');
    assert.deepEqual(
      held.filter((id) => !/^halted: /.test(sim.node(id).lastDecision?.reason ?? '')),
      [],
    );
  });

  it('no node of wave 2 or 3 installed, yet every one of them downloaded it', () => {
    const later = [...truth.inWave(2), ...truth.inWave(3)];
    assert.deepEqual(
      later.filter((id) => sim.node(id).installAt >= 0),
      [],
    );
    assert.deepEqual(
      later.filter((id) => sim.node(id).outcome !== 'downloaded'),
      [],
    );
  });

  it('every wave 2 node says why: halted by the error threshold', (t) => {
    const reasons = truth.inWave(2).map((id) => sim.node(id).lastDecision?.reason ?? '');
    t.diagnostic(reasons[0]!);
    assert.deepEqual(
      reasons.filter((r) => !/^halted: wave 1: \d+ of \d+ nodes heard from failed/.test(r)),
      [],
    );
  });
});
