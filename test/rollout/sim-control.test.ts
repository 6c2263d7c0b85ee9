/**
 * 1,000 simulated nodes, the admin's control of a canary rollout (docs/rollouts.md
 * §Simulation): real GossipNodes on a simulated network, real signed control messages
 * published at one node and spread by gossip and anti-entropy, each node verifying them
 * (openControl) and reducing them (reduceControl). 2 % of the nodes crashed, one node offline
 * from before the pause until after the abort.
 *   pause   reaches every live node within BOUND_S; no wave 2 or 3 node installs while paused
 *   resume  reaches every live node within BOUND_S; waves 2 and 3 then install
 *   abort   reaches every live node within BOUND_S; no install after it
 *   the offline node gets the abort by anti-entropy within CATCH_UP_S of coming back
 *   a forged abort and a replayed older resume change no node (refused by every node that saw them)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControlMessage } from '../../agent/lib/rollout/control.ts';
import { makeAdmin } from '../helpers/fixtures.ts';
import { RolloutSim } from './sim/rollout-sim.ts';
import { canaryPolicy, N, secondsSince, tagsOf, Truth, URI, VERSION } from './sim/scenario.ts';

/** The stated bound: a control message reaches every live node within this many seconds. */
const BOUND_S = 20;
/** A node back online catches up within one anti-entropy (push-pull) and reconnect period, 30 s, and a fetch. */
const CATCH_UP_S = 60;
const OFFLINE = 'n7';

describe('1,000 nodes: pause, resume and abort reach every live node within 20 s', () => {
  let sim: RolloutSim;
  let truth: Truth;
  let t0 = 0;
  const reach: Record<string, number> = {};
  const installs: { id: string; at: number }[] = [];
  let pausedAt = 0;
  let abortedAt = 0;
  let catchUpS = -1;
  let refusedBefore = 0;

  const ctl = (seq: number, action: ControlMessage['action']): ControlMessage => ({
    ...{ uri: URI, version: VERSION, seq, action, rollback: false, issued: 1_800_000_000 },
  });
  const online = () => sim.live.filter((id) => id !== OFFLINE);
  const allHold = (seq: number) => () => online().every((id) => sim.node(id).control?.seq === seq);
  const refused = () => sim.ids.reduce((n, id) => n + sim.node(id).refusedControls, 0);
  /** Publishes at `from`, returns the seconds until every live node holds it (or fails). */
  async function spread(from: string, c: ControlMessage): Promise<number> {
    await sim.publishControl(from, c);
    const ms = await sim.runUntil(allHold(c.seq), 120_000);
    assert.ok(ms >= 0, `${c.action} did not reach every live node in 120 s`);
    return ms / 1000;
  }

  before(async () => {
    sim = await RolloutSim.create({
      n: N,
      seed: 13,
      tagsOf,
      onInstall: (node) => installs.push({ id: node.id, at: sim.clock.now() }),
    });
    await sim.run(5_000);
    t0 = Math.ceil(sim.clock.now() / 1000) * 1000;
    await sim.run(t0 - sim.clock.now());
    const policy = canaryPolicy(t0 / 1000);
    truth = new Truth(sim, policy);
    await sim.publishUpdate('n1', policy);
    await sim.run(10_000);
    for (let i = 0; i < N / 50; i++) sim.crash(`n${100 + i * 7}`);
    await sim.run(10_000);
    sim.net.setOffline(OFFLINE, true);
    sim.reportNet.setOffline(OFFLINE, true);
    await sim.run(20_000); // t0 + 40 s: the canary wave is installing
    reach['pause'] = await spread('n5', ctl(1, 'pause'));
    pausedAt = sim.clock.now();
    await sim.run(t0 + 240_000 - sim.clock.now()); // past wave 3's start + grace
    reach['resume'] = await spread('n9', ctl(2, 'resume'));
    await sim.runUntil(() => truth.inWave(2).some((id) => sim.node(id).installAt >= 0), 60_000);
    reach['abort'] = await spread('n11', ctl(3, 'abort'));
    abortedAt = sim.clock.now();
    refusedBefore = refused();
    const mallory = await makeAdmin();
    await sim.publishControl('n5', ctl(9, 'resume'), [mallory.secret]);
    await sim.publishControl('n5', ctl(2, 'resume'));
    await sim.run(30_000);
    sim.net.setOffline(OFFLINE, false);
    sim.reportNet.setOffline(OFFLINE, false);
    const ms = await sim.runUntil(() => sim.node(OFFLINE).control?.state === 'aborted', 120_000);
    catchUpS = ms / 1000;
    await sim.run(30_000);
  });
  after(() => sim.stop());

  it(`each control message reached every live node within ${BOUND_S} s`, (t) => {
    t.diagnostic(
      `${online().length} live nodes online; reach: pause ${reach['pause']} s, resume ${reach['resume']} s, abort ${reach['abort']} s`,
    );
    for (const [what, s] of Object.entries(reach)) assert.ok(s <= BOUND_S, `${what}: ${s} s`);
  });

  it('while paused no wave 2 or 3 node installed; after the resume they did', (t) => {
    const resumedAt = t0 + 240_000;
    const during = installs.filter((x) => x.at > pausedAt && x.at < resumedAt);
    const later = [...truth.inWave(2), ...truth.inWave(3)];
    t.diagnostic(
      `paused at +${secondsSince(sim, t0, pausedAt)} s; installs while paused: ${during.length}; wave 2/3 installs after the resume: ${installs.filter((x) => later.includes(x.id)).length}`,
    );
    assert.deepEqual(during, []);
    assert.ok(installs.some((x) => later.includes(x.id) && x.at >= resumedAt));
  });

  it('no node installed after the abort reached it; every live node says aborted', () => {
    assert.deepEqual(
      installs.filter((x) => x.at >= abortedAt),
      [],
    );
    const held = sim.live.filter((id) => sim.node(id).installAt < 0 && truth.wave(id) > 0);
    assert.ok(held.length > 100, `${held.length} targeted nodes held by the abort`);
    assert.deepEqual(
      held.filter((id) => !/^aborted by the admin \(seq 3\)/.test(sim.node(id).lastDecision?.reason ?? '')),
      [],
    );
  });

  it(`the node that was offline got the abort by anti-entropy within ${CATCH_UP_S} s of coming back`, (t) => {
    t.diagnostic(`catch-up: ${catchUpS} s`);
    assert.ok(catchUpS >= 0 && catchUpS <= CATCH_UP_S, `${catchUpS} s`);
    assert.equal(sim.node(OFFLINE).control?.seq, 3);
  });

  it('a forged resume and a replayed older resume changed no node and were refused', (t) => {
    t.diagnostic(`refusals after the abort: ${refused() - refusedBefore}`);
    assert.ok(refused() - refusedBefore >= 2, 'at least the origin refused both');
    assert.deepEqual(
      sim.live.filter((id) => sim.node(id).control?.state !== 'aborted'),
      [],
    );
  });
});
