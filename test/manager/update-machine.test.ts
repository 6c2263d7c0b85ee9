import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VerifiedUpdate } from '../../agent/lib/metainfo/model.ts';
import { backoffAfter, nextDeployStep, retryAt } from '../../agent/manager/deploy-policy.ts';
import type { UriRecord } from '../../agent/manager/model.ts';
import { accepted, StateError, transition, type UpdateEvent } from '../../agent/manager/update-machine.ts';

const u = (version: number): VerifiedUpdate =>
  ({
    uri: 'app:/x',
    version,
    length: 10,
    sha256: new Uint8Array(32),
    kid: 'k',
    infoHash: String(version).padStart(40, '0'),
    name: 'x.bin',
    pieceLength: 16384,
  }) as unknown as VerifiedUpdate;

function run(r: UriRecord, version: number, events: UpdateEvent[], t0 = 100): UriRecord {
  let cur = r;
  events.forEach((e, i) => {
    const next = transition(cur, version, e, t0 + i);
    assert.ok(next, `event ${e.type} applied`);
    cur = next;
  });
  return cur;
}

const policy = { maxAttempts: 3, backoffMs: 1000, backoffMaxMs: 5000 };

test('the happy path: verified → downloading → verifying-payload → deploying → applied, each timed', () => {
  const r = run(accepted(undefined, u(4), 50), 4, [
    { type: 'download-started' },
    { type: 'progress', fraction: 0.5 },
    { type: 'downloaded' },
    { type: 'payload-ok' },
    { type: 'deploy-started' },
    { type: 'deploy-ok' },
  ]);
  assert.equal(r.current?.state, 'applied');
  assert.deepEqual(r.current?.at, {
    verified: 50,
    downloading: 100,
    'verifying-payload': 102,
    deploying: 103,
    applied: 105,
  });
  assert.equal(r.applied, 4);
  assert.equal(r.appliedAt, 105);
  assert.equal(r.current?.progress, 1);
  assert.equal(r.current?.deployAttempts, 1);
  assert.equal(r.current?.deployPid, null);
});

test('events the state does not allow throw StateError', () => {
  const r = accepted(undefined, u(1), 0);
  assert.throws(() => transition(r, 1, { type: 'deploy-ok' }, 1), StateError);
  assert.throws(() => transition(r, 1, { type: 'downloaded' }, 1), StateError);
  const failed = run(r, 1, [
    { type: 'download-started' },
    { type: 'downloaded' },
    { type: 'payload-bad', error: 'x' },
  ]);
  assert.equal(failed.current?.state, 'failed');
  assert.throws(() => transition(failed, 1, { type: 'payload-ok' }, 9), StateError);
});

test('an event for a superseded version is stale (null), never applied to the newer one', () => {
  const r1 = run(accepted(undefined, u(1), 0), 1, [{ type: 'download-started' }]);
  const r2 = accepted(r1, u(2), 10);
  assert.equal(transition(r2, 1, { type: 'downloaded' }, 11), null);
  assert.equal(r2.current?.version, 2);
  assert.equal(r2.current?.state, 'verified');
});

test('the highest accepted version is never lowered, the applied version only rises', () => {
  const r = run(accepted(undefined, u(5), 0), 5, [
    { type: 'download-started' },
    { type: 'downloaded' },
    { type: 'payload-ok' },
    { type: 'deploy-started' },
    { type: 'deploy-ok' },
  ]);
  assert.equal(accepted(r, u(3), 1).highestAccepted, 5);
  const r9 = accepted(r, u(9), 1);
  assert.equal(r9.highestAccepted, 9);
  assert.equal(r9.applied, 5, 'accepting a newer version keeps the applied one');
});

test('a failed deploy stays deploying with a retry time; the policy waits, runs, then gives up', () => {
  let r = run(accepted(undefined, u(1), 0), 1, [
    { type: 'download-started' },
    { type: 'downloaded' },
    { type: 'payload-ok' },
    { type: 'deploy-started' },
  ]);
  const at = retryAt(r.current!, policy, 1000);
  assert.equal(at, 2000);
  r = transition(r, 1, { type: 'deploy-failed', error: 'DEPLOY_EXIT: exited 3', retryAt: at }, 1000)!;
  assert.equal(r.current?.state, 'deploying');
  assert.equal(r.current?.lastError, 'DEPLOY_EXIT: exited 3');
  assert.deepEqual(nextDeployStep(r.current!, policy, 1500), { kind: 'wait', until: 2000 });
  assert.deepEqual(nextDeployStep(r.current!, policy, 2000), { kind: 'run' });
  r = run(r, 1, [
    { type: 'deploy-started' },
    { type: 'deploy-failed', error: 'e2', retryAt: 0 },
    { type: 'deploy-started' },
  ]);
  assert.equal(r.current?.deployAttempts, 3);
  assert.equal(retryAt(r.current!, policy, 5000), null, 'no retry after the last attempt');
  const step = nextDeployStep({ ...r.current!, nextAttemptAt: null }, policy, 5000);
  assert.equal(step.kind, 'give-up');
  r = transition(r, 1, { type: 'give-up', error: step.kind === 'give-up' ? step.reason : '' }, 6000)!;
  assert.equal(r.current?.state, 'failed');
  assert.equal(r.applied, null);
});

test('an interrupted deploy (attempt counted, no result) is run again within the limit', () => {
  const c = run(accepted(undefined, u(1), 0), 1, [
    { type: 'download-started' },
    { type: 'downloaded' },
    { type: 'payload-ok' },
    { type: 'deploy-started' },
  ]).current!;
  assert.deepEqual(nextDeployStep(c, policy, 0), { kind: 'run' });
  const exhausted = nextDeployStep({ ...c, deployAttempts: 3 }, policy, 0);
  assert.match(exhausted.kind === 'give-up' ? exhausted.reason : '', /after 3 attempts; last: interrupted/);
});

test('backoff doubles per attempt and is capped', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 10, 1000].map((n) => backoffAfter(n, policy)),
    [1000, 2000, 4000, 5000, 5000, 5000],
  );
});

test('a transfer error is shown until the transfer moves again', () => {
  let r = run(accepted(undefined, u(1), 0), 1, [
    { type: 'download-started' },
    { type: 'transfer-error', error: 'UNREACHABLE: daemon down' },
  ]);
  assert.equal(r.current?.lastError, 'UNREACHABLE: daemon down');
  r = transition(r, 1, { type: 'progress', fraction: 0.2 }, 5)!;
  assert.equal(r.current?.lastError, null);
  assert.equal(r.current?.progress, 0.2);
});

test('a retry time beyond the longest backoff (the clock was set back) does not wait for years', () => {
  const c = run(accepted(undefined, u(1), 0), 1, [
    { type: 'download-started' },
    { type: 'downloaded' },
    { type: 'payload-ok' },
    { type: 'deploy-started' },
    { type: 'deploy-failed', error: 'DEPLOY_EXIT: exited 1', retryAt: 1_790_000_000_000 },
  ]).current!;
  // The device rebooted with its clock at the epoch: the recorded retry is 56 years away.
  assert.deepEqual(nextDeployStep(c, policy, 60_000), { kind: 'run' });
  // Within the policy's reach it still waits.
  assert.deepEqual(nextDeployStep(c, policy, 1_790_000_000_000 - policy.backoffMaxMs), {
    kind: 'wait',
    until: 1_790_000_000_000,
  });
});
