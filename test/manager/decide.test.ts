import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeployerSpec } from '../../agent/lib/deploy/deployer-spec.ts';
import { decide, deployerFor } from '../../agent/manager/decide.ts';
import type { UriRecord } from '../../agent/manager/model.ts';

const script = (path: string): DeployerSpec => ({ type: 'script', path, args: [] });
const deployers = { 'app:/': script('/a.sh'), 'app:/web': script('/web.sh') };
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
  assert.deepEqual(decide({ uri: 'app:/x', version: 1, infoHash: H('b') }, undefined, deployers), {
    kind: 'accept',
  });
});

test('only versions above the highest accepted are accepted', () => {
  assert.equal(decide({ uri: 'app:/x', version: 8, infoHash: H('b') }, rec(7), deployers).kind, 'accept');
  const same = decide({ uri: 'app:/x', version: 7, infoHash: H('b') }, rec(7), deployers);
  assert.equal(same.kind === 'refuse' && same.code, 'ROLLBACK');
  assert.match(
    same.kind === 'refuse' ? same.reason : '',
    /version 7 of app:\/x equals the highest accepted version 7/,
  );
  const older = decide({ uri: 'app:/x', version: 2, infoHash: H('b') }, rec(7), deployers);
  assert.equal(older.kind === 'refuse' && older.code, 'ROLLBACK');
  assert.match(older.kind === 'refuse' ? older.reason : '', /is below/);
});

test('the very torrent already held is a duplicate, not a refusal', () => {
  assert.deepEqual(decide({ uri: 'app:/x', version: 7, infoHash: H('a') }, rec(7, H('a')), deployers), {
    kind: 'duplicate',
  });
});

test('the highest accepted version counts even when the current record is gone or failed', () => {
  const r: UriRecord = { ...rec(7), current: null };
  assert.equal(decide({ uri: 'app:/x', version: 7, infoHash: H('a') }, r, deployers).kind, 'refuse');
});

test('a URI with no deployer is refused URI_NOT_ACCEPTED, before the version check', () => {
  const d = decide({ uri: 'other:/x', version: 99, infoHash: H('b') }, undefined, deployers);
  assert.equal(d.kind === 'refuse' && d.code, 'URI_NOT_ACCEPTED');
});

test('the longest matching prefix chooses the deployer', () => {
  assert.equal(deployerFor(deployers, 'app:/web/site'), deployers['app:/web']);
  assert.equal(deployerFor(deployers, 'app:/db'), deployers['app:/']);
  assert.equal(deployerFor(deployers, 'ap'), undefined);
});
