import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionTable } from '../../agent/rendezvous/session-table.ts';

const ep = (port: number) => ({ address: '198.18.0.5', port });

test('upsert: new, same (no version bump), changed', () => {
  const t = new SessionTable(10, 60_000);
  assert.equal(t.upsert('a', ep(1), [], undefined, 0), 'new');
  const v = t.currentVersion();
  assert.equal(t.upsert('a', ep(1), [], undefined, 1000), 'same');
  assert.equal(t.currentVersion(), v, 'a refresh costs no version');
  assert.equal(t.get('a')?.lastSeen, 1000);
  assert.equal(t.upsert('a', ep(2), [], undefined, 2000), 'changed');
  assert.equal(t.currentVersion(), v + 1);
});

test('bounded: a full table refuses new nodes but refreshes known ones', () => {
  const t = new SessionTable(2, 60_000);
  t.upsert('a', ep(1), [], undefined, 0);
  t.upsert('b', ep(2), [], undefined, 0);
  assert.equal(t.upsert('c', ep(3), [], undefined, 0), 'full');
  assert.equal(t.upsert('a', ep(1), [], undefined, 5), 'same');
  assert.equal(t.size(), 2);
});

test('entries expire after ttl and leave a tombstone in the deltas', () => {
  const t = new SessionTable(10, 1000);
  t.upsert('a', ep(1), [], undefined, 0);
  t.upsert('b', ep(2), [], undefined, 900);
  const v = t.currentVersion();
  assert.deepEqual(t.expire(1500), ['a']);
  assert.equal(t.get('a'), undefined);
  const d = t.since(v, 10);
  assert.deepEqual(
    d.entries.map((e) => [e.id, e.gone]),
    [['a', true]],
  );
  assert.equal(t.size(), 1);
});

test('since(): paged deltas in version order, with a cursor', () => {
  const t = new SessionTable(100, 60_000);
  for (let i = 0; i < 25; i++) t.upsert(`n${i}`, ep(1000 + i), [], undefined, 0);
  t.upsert('n3', ep(5), [], undefined, 1); // changed: moves to the end
  const p1 = t.since(0, 10);
  assert.equal(p1.entries.length, 10);
  assert.equal(p1.more, true);
  assert.equal(p1.entries[3]!.id, 'n4');
  const p2 = t.since(p1.upTo, 10);
  const p3 = t.since(p2.upTo, 10);
  assert.equal(p3.more, false);
  const ids = [...p1.entries, ...p2.entries, ...p3.entries].map((e) => e.id);
  assert.equal(ids.length, 25);
  assert.equal(ids.at(-1), 'n3');
  assert.deepEqual(t.since(t.currentVersion(), 10).entries, []);
});

test('tombstones are bounded', () => {
  const t = new SessionTable(10, 1);
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 10; i++) t.upsert(`r${round}-${i}`, ep(i + 1), [], undefined, round * 10);
    t.expire(round * 10 + 5);
  }
  assert.equal(t.size(), 0);
  assert.ok(t.since(0, 1000).entries.length <= 20);
});
