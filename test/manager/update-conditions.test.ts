import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoreData, UpdateRecord } from '../../agent/manager/model.ts';
import type { ServeEntry } from '../../agent/manager/serve-only.ts';
import { sourceText } from '../../agent/manager/serve-view.ts';
import { updateConditions } from '../../agent/manager/update-conditions.ts';

const current = (state: UpdateRecord['state'], progress: number, since: number): UpdateRecord => ({
  ...{ version: 3, infoHash: 'a'.repeat(40), name: 'p', length: 1, sha256: '00', state, progress },
  ...{ at: { [state]: since }, lastError: null, deployAttempts: 0, nextAttemptAt: null, deployPid: null },
});
const store = (c: UpdateRecord): StoreData => ({
  schema: 1,
  uris: { 'app:/x': { highestAccepted: 3, applied: 2, appliedAt: 1, current: c } },
  refusals: [],
});
const blocked = { state: 'blocked' } as ServeEntry;

test('no_source: downloading without a byte for quietMs; not_serving: a needed update held back', () => {
  assert.deepEqual(updateConditions(store(current('downloading', 0, 0)), [], 59_999, 60_000), []);
  assert.deepEqual(updateConditions(store(current('downloading', 0, 0)), [], 60_000, 60_000), ['no_source']);
  assert.deepEqual(updateConditions(store(current('downloading', 0.01, 0)), [], 90_000, 60_000), []);
  assert.deepEqual(updateConditions(store(current('deploying', 1, 0)), [blocked], 90_000, 60_000), [
    'not_serving',
  ]);
});

test('status of a downloading node names the neighbour that refused and serves nothing', () => {
  const n3 = {
    ...{ id: 'n3', self: false, status: 'alive', path: 'direct', external: { address: '198.18.0.31' } },
    ...{ current: null, conditions: ['not_serving'] },
  };
  const far = { ...n3, id: 'n1', external: { address: '198.18.0.11' } };
  assert.deepEqual(sourceText([], [n3], null), [], 'nothing downloading: nothing to say');
  assert.deepEqual(sourceText(['app:/x v3'], [far], '198.18.0.41'), [], 'not a neighbour');
  assert.deepEqual(sourceText(['app:/x v3'], [{ ...n3, conditions: [] }], '198.18.0.31'), []);
  const [line] = sourceText(['app:/x v3'], [n3, far, 'junk', null], '198.18.0.31');
  assert.match(
    line!,
    /^source: neighbour n3 refused an update and does not serve it .*app:\/x v3 may have no other source/,
  );
  // A bridge child has no public address of its own; it may have heard its bridge's (the
  // bridge passes its rendezvous table on) or not: its bridge is its neighbour either way.
  for (const bridge of [n3, { ...n3, external: null }])
    assert.match(sourceText(['app:/x v3'], [bridge], null)[0] ?? '', /^source: neighbour n3 refused/);
});
