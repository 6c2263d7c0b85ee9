/** shouldInstall (docs/rollouts.md §Deciding): the order of its checks and the reason it gives. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialControl, type ControlState } from '../../agent/lib/rollout/control-state.ts';
import { planOf } from '../../agent/lib/rollout/plan.ts';
import { PPM } from '../../agent/lib/rollout/policy.ts';
import { shouldInstall } from '../../agent/lib/rollout/should-install.ts';
import { parseTags } from '../../agent/lib/rollout/tags.ts';
import { idsByWave, rec, view } from './fleet-fixture.ts';

const ISSUED = 1_800_000_000;
const at = (s: number) => (ISSUED + s) * 1000;
const plan = planOf('app:/opt/demo', 7, {
  issued: ISSUED,
  target: 'ring in (canary,main)',
  waves: [
    { fraction: 100_000, start: 0 },
    { fraction: 900_000, start: 60, gate: PPM },
  ],
  errorThreshold: 0,
  grace: 600,
  quorum: PPM,
});
const [w1, w2, none] = idsByWave(plan, 3) as [string[], string[], string[]];
const tags = parseTags(['ring=main']);
const running = initialControl('app:/opt/demo', 7);
const paused: ControlState = { ...running, seq: 3, state: 'paused' };
const aborted: ControlState = { ...running, seq: 4, state: 'aborted', rollback: true };
const canary = (id: string, o?: 'applied' | 'downloaded' | 'failed') =>
  rec(plan, id, o, { tags: ['ring=canary'] });
const canariesOk = view(w1.map((id) => canary(id, 'applied')));

describe('shouldInstall', () => {
  it('an abort or a pause wins over everything, with or without a policy', () => {
    const a = shouldInstall(plan, { id: w1[0]!, tags }, canariesOk, aborted, at(0));
    assert.deepEqual(a, { install: false, reason: 'aborted by the admin (seq 4)', rollback: true });
    assert.equal(shouldInstall(null, { id: w1[0]!, tags }, canariesOk, aborted, at(0)).install, false);
    assert.deepEqual(shouldInstall(null, { id: w1[0]!, tags }, canariesOk, paused, at(0)), {
      install: false,
      reason: 'paused by the admin (seq 3)',
    });
  });

  it("no policy: install at once (today's behaviour)", () => {
    assert.deepEqual(shouldInstall(null, { id: w2[0]!, tags }, view([]), running, 0), {
      install: true,
      reason: 'no rollout policy',
    });
  });

  it('a node the selector does not target never installs, and says so', () => {
    const d = shouldInstall(
      plan,
      { id: w1[0]!, tags: parseTags(['ring=lab']) },
      canariesOk,
      running,
      at(100),
    );
    assert.deepEqual(d, {
      install: false,
      reason: 'not targeted: tags "ring=lab" do not match "ring in (canary,main)"',
    });
  });

  it('a node ranked past the last wave never installs', () => {
    const d = shouldInstall(plan, { id: none[0]!, tags }, canariesOk, running, at(10_000));
    assert.deepEqual(d, { install: false, reason: 'not in any wave: the last covers 90% of targeted nodes' });
  });

  it('the first wave installs from its start; later waves wait for their start, then their gate', () => {
    assert.deepEqual(shouldInstall(plan, { id: w1[0]!, tags }, view([]), running, at(0)), {
      install: true,
      wave: 1,
      reason: 'wave 1 open: the first wave opens at its start',
    });
    const early = shouldInstall(plan, { id: w2[0]!, tags }, canariesOk, running, at(59));
    assert.deepEqual(early, { install: false, wave: 2, reason: 'wave 2 starts at 2027-01-15T08:01:00.000Z' });
    const open = shouldInstall(plan, { id: w2[0]!, tags }, canariesOk, running, at(60));
    assert.equal(open.install, true);
    assert.match(open.reason, /^wave 2 open: earlier waves: 3 of 3 applied/);
    const notYet = view([...w1.slice(1).map((id) => canary(id, 'applied')), canary(w1[0]!, 'downloaded')]);
    const closed = shouldInstall(plan, { id: w2[0]!, tags }, notYet, running, at(60));
    assert.equal(closed.install, false);
    assert.match(closed.reason, /^wave 2 closed: earlier waves: 2 of 3 applied/);
  });

  it('a halted rollout installs nowhere, the first wave included', () => {
    const failed = view([canary(w1[1]!, 'failed')]);
    const d = shouldInstall(plan, { id: w1[0]!, tags }, failed, running, at(0));
    assert.equal(d.install, false);
    assert.match(d.reason, /^halted: wave 1: 1 of 1 nodes heard from failed/);
  });
});
