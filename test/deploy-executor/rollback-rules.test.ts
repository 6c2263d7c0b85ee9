/**
 * The executor record's health and rollback rules, pure (record-rules.ts, record-rollback.ts):
 * what a rollback may go back to, that it happens once, and that the floor never moves down.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeRollback, rollbackStarted } from '../../agent/deploy-executor/record-rollback.ts';
import {
  EMPTY_RECORD,
  finished,
  healthOf,
  judge,
  started,
  type DeployRecord,
} from '../../agent/deploy-executor/record-rules.ts';

const U = 'app:/x';
const ref = (version: number) => ({ version, infoHash: String(version % 10).repeat(40) });
const run = (v: number) => ({ ...ref(v), startedAt: v, file: `/w/${v}`, pgid: null, unit: null });

/** Deploys `v` (applied), then gives its health verdict when told. */
function deployed(d: DeployRecord, v: number, health?: 'ok' | 'failed'): DeployRecord {
  const a = finished(started(d, U, run(v)), U, true, v, health !== undefined);
  return health === undefined ? a : healthOf(a, U, ref(v), health);
}

test('previous is the last healthy update: an unhealthy or never-checked one is skipped', () => {
  let d = deployed(EMPTY_RECORD, 1, 'ok');
  d = deployed(d, 2, 'failed');
  assert.deepEqual(d.uris[U]!.previous, ref(1));
  d = deployed(d, 3, 'ok');
  assert.deepEqual(d.uris[U]!.previous, ref(1), 'v2 was unhealthy: never gone back to');
  d = finished(started(d, U, run(4)), U, true, 4, true); // the executor died during v4's check
  d = deployed(d, 5);
  assert.deepEqual(d.uris[U]!.previous, ref(3), 'v4 never passed its check');
  assert.deepEqual(
    deployed(deployed(EMPTY_RECORD, 1), 2).uris[U]!.previous,
    ref(1),
    'no health check: healthy',
  );
});

test('a rollback goes from the update deployed last to previous, once; the floor stays', () => {
  let d = deployed(deployed(EMPTY_RECORD, 1, 'ok'), 2, 'failed');
  assert.deepEqual(judgeRollback(d, U, ref(2)), { kind: 'run', to: ref(1), unhealthy: true });
  d = rollbackStarted(d, U, run(1));
  assert.equal(d.uris[U]!.floor!.version, 2, 'a rollback does not move the floor');
  const failedRun = finished(d, U, false, 9);
  assert.deepEqual(failedRun.uris[U]!.applied!.version, 2, 'a failed rollback leaves v2 applied');
  assert.deepEqual(judgeRollback(failedRun, U, ref(2)).kind, 'run', 'and may be asked again');
  const checking = finished(d, U, true, 9, true);
  assert.equal(checking.uris[U]!.applied!.health, 'checking', 'the restored one is checked again');
  const sickAgain = healthOf(checking, U, ref(1), 'failed');
  assert.deepEqual([sickAgain.uris[U]!.applied!.health, sickAgain.uris[U]!.previous], ['failed', null]);
  assert.equal(
    ((j) => (j.kind === 'refused' ? j.code : j.kind))(judgeRollback(sickAgain, U, ref(1))),
    'NO_PREVIOUS',
    'no rollback of a rollback',
  );
  d = finished(d, U, true, 9);
  const u = d.uris[U]!;
  assert.deepEqual([u.applied!.version, u.floor!.version, u.previous, u.rolledBack], [1, 2, null, ref(2)]);
  assert.deepEqual(
    [judgeRollback(d, U, ref(2)), judgeRollback(d, U, ref(1))].map((j) =>
      j.kind === 'refused' ? j.code : j.kind,
    ),
    ['ALREADY_ROLLED_BACK', 'NO_PREVIOUS'],
  );
  assert.equal(judge(u, ref(2)).kind, 'rolled-back', 'v2 is never deployed again');
  assert.equal(
    judge(u, { ...ref(2), infoHash: 'f'.repeat(40) }).kind,
    'rolled-back',
    'nor other bytes as v2',
  );
  assert.equal(judge(u, ref(1)).kind, 'already-applied');
  assert.equal(judge(u, ref(3)).kind, 'run', 'a higher version proceeds');
});

test('refused: a version not deployed last, or a URI never deployed', () => {
  const d = deployed(deployed(deployed(EMPTY_RECORD, 1, 'ok'), 2, 'failed'), 3, 'ok');
  const code = (j: ReturnType<typeof judgeRollback>) => (j.kind === 'refused' ? j.code : j.kind);
  assert.equal(code(judgeRollback(d, U, ref(2))), 'NOT_DEPLOYED_LAST', 'after a newer healthy one');
  assert.equal(code(judgeRollback(d, U, ref(1))), 'NOT_DEPLOYED_LAST', 'an arbitrary older one');
  assert.equal(code(judgeRollback(d, U, { ...ref(3), infoHash: 'e'.repeat(40) })), 'NOT_DEPLOYED_LAST');
  assert.equal(code(judgeRollback(d, 'app:/other', ref(3))), 'NOT_DEPLOYED_LAST');
  assert.deepEqual(
    judgeRollback(d, U, ref(3)),
    { kind: 'run', to: ref(1), unhealthy: false },
    'healthy (an abort): an expired previous is refused (rollback-check.ts)',
  );
});
