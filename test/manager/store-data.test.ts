/** The version store's pure core (agent/manager/store-data.ts): data in, data out, no disk. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VerifiedUpdate } from '../../agent/lib/metainfo/model.ts';
import { EMPTY_STORE, MAX_REFUSALS } from '../../agent/manager/model.ts';
import { withEvent, withRefusal, withUri } from '../../agent/manager/store-data.ts';
import { accepted } from '../../agent/manager/update-machine.ts';

const u = {
  uri: 'app:/x',
  version: 2,
  length: 1,
  sha256: new Uint8Array(32),
  infoHash: 'ab'.repeat(20),
  name: 'p',
};
const base = withUri(EMPTY_STORE, 'app:/x', accepted(undefined, u as unknown as VerifiedUpdate, 10));

test('an event for the current version moves it on; the input is not touched', () => {
  const before = JSON.stringify(base);
  const next = withEvent(base, 'app:/x', 2, { type: 'download-started' }, 20);
  assert.equal(next.uris['app:/x']?.current?.state, 'downloading');
  assert.equal(next.uris['app:/x']?.current?.at.downloading, 20);
  assert.equal(JSON.stringify(base), before);
});

test('an event for an unknown URI or a superseded version changes nothing (same object)', () => {
  assert.equal(withEvent(base, 'app:/y', 2, { type: 'download-started' }, 20), base);
  assert.equal(withEvent(base, 'app:/x', 1, { type: 'download-started' }, 20), base);
});

test('refusals: most recent first, at most MAX_REFUSALS', () => {
  let d = EMPTY_STORE;
  for (let i = 0; i < MAX_REFUSALS + 5; i++)
    d = withRefusal(d, { at: i, code: 'ROLLBACK', reason: `r${i}`, source: 'inbox' });
  assert.equal(d.refusals.length, MAX_REFUSALS);
  assert.equal(d.refusals[0]?.reason, `r${MAX_REFUSALS + 4}`);
  assert.deepEqual(EMPTY_STORE.refusals, []);
});
