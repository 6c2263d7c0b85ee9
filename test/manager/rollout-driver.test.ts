/**
 * Rollout gating in the manager's driver (issue 18): the manager core with a fake
 * Transmission, a fake deploy executor, a fake natm and a fake clock (the store is real, in a
 * temp dir). The fleet view is handed to the gate as natm's `members` rows would be.
 *   - a wave 2 node downloads and seeds (have complete), then waits at its gate: no deploy,
 *     status says what it waits for; once the canary wave has applied, it deploys;
 *   - a node the selector leaves out seeds and never deploys.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import { planOf } from '../../agent/lib/rollout/plan.ts';
import { PPM, type RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import { statusText } from '../../agent/manager/status-view.ts';
import { idsByWave } from '../rollout/fleet-fixture.ts';
import { idleOn, makeBed, settle, untilOn, URI, type Bed } from './rollout-bed.ts';

/** What the update's gate waits for, as the store has it. */
const gateLine = () => bed!.core.store.uri(URI)?.current?.gate ?? '';
let bed: Bed | null = null;

afterEach(async () => {
  await bed?.manager.stop();
  if (bed) await rm(bed.dir, { recursive: true, force: true });
  bed = null;
});

const idle = (ms: number, stepMs = 10) => idleOn(bed!, ms, stepMs);
const until = (pred: () => boolean, maxMs: number, what: string) => untilOn(bed!, pred, maxMs, what);

const policyAt = (issued: number, gate = 900_000, grace = 600): RolloutPolicy => ({
  issued,
  target: 'ring in (canary,main)',
  waves: [
    { fraction: 100_000, start: 0 },
    { fraction: PPM, start: 60, gate },
  ],
  errorThreshold: 100_000,
  grace,
  quorum: 500_000,
});

/** natm's members rows: `self` deploying, the canary wave as given. */
function rows(self: string, canary: readonly string[], applied: number) {
  const row = (id: string, done: boolean) => ({
    ...{ id, status: 'alive', stateSeq: 1, signed: true, tags: 'ring=canary' },
    ...{
      applied: done ? { [URI]: 1 } : {},
      current: done ? null : { uri: URI, version: 1, state: 'deploying' },
    },
  });
  return [{ ...row(self, false), tags: 'ring=main' }, ...canary.map((id, i) => row(id, i < applied))];
}

test('a wave 2 node seeds at once, waits at its gate (status says why), and deploys once the canary applied', async () => {
  bed = await makeBed(['ring=main']);
  const policy = policyAt(Math.floor(bed.clock.now() / 1000));
  const [canary, wave2] = idsByWave(planOf(URI, 1, policy), 10) as [string[], string[]];
  const self = wave2[0]!;
  bed.gate.onMembers({ nodeId: self, members: rows(self, canary, 0) });
  const ih = await bed.publish(policy);
  // Fake time only moves on once the driver waits at its gate (nothing real is then in flight).
  await until(() => gateLine().startsWith('waiting for wave 2 gate'), 600_000, 'held at the wave 2 gate');
  await idle(60_000, 100);
  assert.deepEqual(bed.deploys, [], 'nothing deployed while the canary has not applied');
  assert.deepEqual(bed.have, [ih], 'downloaded and told natm it holds it (seeding)');
  const c = bed.core.store.uri(URI)!.current!;
  assert.equal(c.state, 'deploying');
  assert.match(c.gate ?? '', /^waiting for wave 2 gate \(0\/10 succeeded\)/);
  assert.match(statusText(bed.core.store.data), /\n {4}rollout: waiting for wave 2 gate \(0\/10 succeeded\)/);

  if (bed.gate.onMembers({ nodeId: self, members: rows(self, canary, 8) })) bed.manager.kickAll();
  await settle(
    () => gateLine().includes('(8/10 succeeded)'),
    20_000,
    'the gate re-judged on the fleet change',
  );
  await idle(10_000, 100);
  assert.deepEqual(bed.deploys, [], '8 of 10 is below the 90% gate');
  assert.match(bed.core.store.uri(URI)!.current!.gate ?? '', /\(8\/10 succeeded\)/);

  if (bed.gate.onMembers({ nodeId: self, members: rows(self, canary, 9) })) bed.manager.kickAll();
  // The fake clock stands still: no re-check timer can fire, so only the fleet change can deploy it.
  await settle(() => bed!.deploys.length > 0, 20_000, 'deployed on the fleet change');
  assert.deepEqual(bed.deploys, [1]);
  await until(() => bed!.core.store.uri(URI)!.current!.state === 'applied', 600_000, 'applied');
  assert.equal(bed.core.store.uri(URI)!.current!.state, 'applied');
  assert.equal(bed.core.store.uri(URI)!.current!.gate, null);
});

test('a wave 2 node whose gate opens by time (grace over, quorum met) deploys on the timer, no fleet change needed', async () => {
  bed = await makeBed(['ring=main']);
  const policy = policyAt(Math.floor(bed.clock.now() / 1000), 950_000, 3600);
  const graceOver = (policy.issued + 60 + 3600) * 1000;
  const [canary, wave2] = idsByWave(planOf(URI, 1, policy), 10) as [string[], string[]];
  const self = wave2[0]!;
  // 9 canaries applied, the 10th silent (a member without a record): below 95% of 10 until grace.
  const members = [...rows(self, canary.slice(0, 9), 9), { id: canary[9], status: 'alive', stateSeq: null }];
  bed.gate.onMembers({ nodeId: self, members });
  await bed.publish(policy);
  await until(() => gateLine().startsWith('waiting for wave 2 gate'), 600_000, 'held at the wave 2 gate');
  await idle(graceOver - 1000 - bed.clock.now(), 100);
  assert.deepEqual(bed.deploys, []);
  assert.match(
    bed.core.store.uri(URI)!.current!.gate ?? '',
    /\(9\/10 succeeded\).*1 not seen, 0 lost count as not applied until/,
  );
  await until(() => bed!.deploys.length > 0, 600_000, 'deployed after grace');
  assert.ok(
    bed.deployedAt[0]! >= graceOver,
    `deployed ${graceOver - bed.deployedAt[0]!} ms before start + grace`,
  );
});

test('a node the selector leaves out seeds and never deploys', async () => {
  bed = await makeBed(['ring=lab']);
  const policy = policyAt(Math.floor(bed.clock.now() / 1000));
  const [canary] = idsByWave(planOf(URI, 1, policy), 10) as [string[]];
  const self = canary[0]!;
  bed.gate.onMembers({ nodeId: self, members: rows(self, canary.slice(1), 9) });
  const ih = await bed.publish(policy);
  await until(() => gateLine().startsWith('waiting: not targeted'), 600_000, 'held: not targeted');
  await idle(15 * 60_000, 100);
  assert.deepEqual(bed.deploys, []);
  assert.deepEqual(bed.have, [ih]);
  assert.match(
    bed.core.store.uri(URI)!.current!.gate ?? '',
    /^waiting: not targeted: tags "ring=lab" do not match/,
  );
});
