/**
 * `rollout status`'s report (agent/lib/rollout/report.ts): the counts are the gate's; each
 * gate that is not open says why: paused / aborted (the admin, every gate), halted (error
 * threshold), too-early (before its start), gate (success ratio below the gate).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialControl, type ControlState } from '../../agent/lib/rollout/control-state.ts';
import { planOf } from '../../agent/lib/rollout/plan.ts';
import { PPM, type RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import { formatReport, noPolicyPlan, rolloutReport } from '../../agent/lib/rollout/report.ts';
import { idsByWave, rec, view } from './fleet-fixture.ts';

const ISSUED = 1_800_000_000;
const at = (s: number) => (ISSUED + s) * 1000;
const policy: RolloutPolicy = {
  issued: ISSUED,
  waves: [
    { fraction: 100_000, start: 0 },
    { fraction: 500_000, start: 60, gate: 900_000 },
    { fraction: PPM, start: 600, gate: 900_000 },
  ],
  errorThreshold: 200_000,
  grace: 3600,
  quorum: 500_000,
};
const plan = planOf('app:/opt/demo', 7, policy);
const [w1, w2] = idsByWave(plan, 10) as [string[], string[]];
const running = initialControl('app:/opt/demo', 7);
const ctl = (state: ControlState['state'], seq = 4): ControlState => ({ ...running, state, seq });
const fleet = (appliedW1: number, failedW1 = 0) =>
  view([
    ...w1.map((id, i) =>
      rec(plan, id, i < appliedW1 ? 'applied' : i < appliedW1 + failedW1 ? 'failed' : 'downloaded'),
    ),
    ...w2.slice(0, 4).map((id) => rec(plan, id, 'downloaded')),
  ]);
const whys = (r: ReturnType<typeof rolloutReport>) => r.waves.map((w) => [w.gate, w.why]);

describe('rollout status report', () => {
  it('open, closed below the gate (gate), waiting before the start (too-early); the counts per wave', () => {
    const r = rolloutReport(plan, true, fleet(8), running, at(100));
    assert.deepEqual(whys(r), [
      ['open', null],
      ['closed', 'gate'],
      ['waiting', 'too-early'],
    ]);
    assert.deepEqual(
      [r.waves[0]!.applied, r.waves[0]!.downloaded, r.waves[1]!.targeted, r.waves[1]!.downloaded],
      [8, 2, 4, 4],
    );
    assert.match(r.waves[1]!.reason, /8 of 10 applied \(80%\), gate 90%/);
    const open = rolloutReport(plan, true, fleet(9), running, at(100));
    assert.deepEqual(open.waves[1]!.gate, 'open');
  });

  it('halted by the error threshold: every started gate closed (halted)', () => {
    const r = rolloutReport(plan, true, fleet(7, 3), running, at(100));
    assert.equal(r.halted, true);
    assert.deepEqual(whys(r), [
      ['closed', 'halted'],
      ['closed', 'halted'],
      ['waiting', 'too-early'],
    ]);
  });

  it('paused or aborted by the admin: every gate closed, whatever the counts, and the text says so', () => {
    for (const s of ['paused', 'aborted'] as const) {
      const r = rolloutReport(plan, true, fleet(10), ctl(s), at(1000));
      assert.deepEqual(whys(r), [
        ['closed', s],
        ['closed', s],
        ['closed', s],
      ]);
      assert.deepEqual(r.control, { state: s, seq: 4, rollback: false });
      const text = formatReport(r);
      assert.match(text, new RegExp(`admin control: ${s} \\(seq 4\\)`));
      assert.match(
        text,
        new RegExp(`wave 3 \\(from .*\\): closed \\(${s}\\): ${s} by the admin \\(seq 4\\)`),
      );
    }
  });

  it('an update without a policy is one wave over every node, open at once', () => {
    const p = noPolicyPlan('app:/x', 2);
    const r = rolloutReport(
      p,
      false,
      view([rec(p, 'a', 'applied'), rec(p, 'b', 'failed')]),
      initialControl('app:/x', 2),
      0,
    );
    assert.deepEqual(whys(r), [['open', null]]);
    assert.deepEqual([r.waves[0]!.targeted, r.waves[0]!.applied, r.waves[0]!.failed], [2, 1, 1]);
    assert.match(
      formatReport(r),
      /no rollout policy \(one wave, every node\); admin control: running \(no control message\)/,
    );
  });
});
