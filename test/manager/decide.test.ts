import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, decideWithExecutor } from '../../agent/manager/decide.ts';
import type { UriRecord } from '../../agent/manager/model.ts';

const H = (c: string): string => c.repeat(40);

function rec(highest: number, infoHash = H('a')): UriRecord {
  return {
    highestAccepted: highest,
    applied: null,
    appliedAt: null,
    current: {
      version: highest,
      infoHash,
      name: 'p.bin',
      length: 1,
      sha256: '00',
      state: 'downloading',
      at: { verified: 1 },
      progress: 0,
      lastError: null,
      deployAttempts: 0,
      nextAttemptAt: null,
      deployPid: null,
    },
  };
}

test('a URI seen for the first time is accepted', () => {
  assert.deepEqual(decide({ uri: 'app:/x', version: 1, infoHash: H('b') }, undefined), {
    kind: 'accept',
  });
});

test('only versions above the highest accepted are accepted', () => {
  assert.equal(decide({ uri: 'app:/x', version: 8, infoHash: H('b') }, rec(7)).kind, 'accept');
  const same = decide({ uri: 'app:/x', version: 7, infoHash: H('b') }, rec(7));
  assert.equal(same.kind === 'refuse' && same.code, 'ROLLBACK');
  assert.match(
    same.kind === 'refuse' ? same.reason : '',
    /version 7 of app:\/x equals the highest accepted version 7/,
  );
  const older = decide({ uri: 'app:/x', version: 2, infoHash: H('b') }, rec(7));
  assert.equal(older.kind === 'refuse' && older.code, 'ROLLBACK');
  assert.match(older.kind === 'refuse' ? older.reason : '', /is below/);
});

test('the very torrent already held is a duplicate, not a refusal', () => {
  assert.deepEqual(decide({ uri: 'app:/x', version: 7, infoHash: H('a') }, rec(7, H('a'))), {
    kind: 'duplicate',
  });
});

test('the highest accepted version counts even when the current record is gone or failed', () => {
  const r: UriRecord = { ...rec(7), current: null };
  assert.equal(decide({ uri: 'app:/x', version: 7, infoHash: H('a') }, r).kind, 'refuse');
});

test('a URI no deployer of the executor accepts is refused URI_NOT_ACCEPTED', () => {
  const d = decideWithExecutor(
    { uri: 'other:/x', version: 99, infoHash: H('b') },
    { accepted: false, highest: null },
  );
  assert.equal(d.kind === 'refuse' && d.code, 'URI_NOT_ACCEPTED');
  assert.match(d.kind === 'refuse' ? d.reason : '', /no deployer is configured for other:\/x/);
});

test("a version below the executor's own record is refused ROLLBACK; equal or above goes on", () => {
  const u = (version: number) => ({ uri: 'app:/x', version, infoHash: H('b') });
  const d = decideWithExecutor(u(3), { accepted: true, highest: 4 });
  assert.equal(d.kind === 'refuse' && d.code, 'ROLLBACK');
  assert.match(d.kind === 'refuse' ? d.reason : '', /below the version 4 the deploy executor deployed/);
  assert.equal(decideWithExecutor(u(4), { accepted: true, highest: 4 }).kind, 'accept');
  assert.equal(decideWithExecutor(u(5), { accepted: true, highest: 4 }).kind, 'accept');
  assert.equal(decideWithExecutor(u(1), { accepted: true, highest: null }).kind, 'accept');
});
