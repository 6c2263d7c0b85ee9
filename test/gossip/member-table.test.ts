import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemberTable } from '../../agent/lib/gossip/member-table.ts';
import { mulberry32 } from '../../agent/lib/simnet/prng.ts';

const mk = (max = 100) => new MemberTable('me', { maxMembers: max, deadRetentionMs: 60_000 });

test('SWIM precedence: higher incarnation wins, at equal incarnation dead > suspect > alive', () => {
  const t = mk();
  assert.equal(t.apply('a', 'alive', 1, 0), 'changed');
  assert.equal(t.apply('a', 'alive', 1, 0), 'ignored');
  assert.equal(t.apply('a', 'suspect', 0, 0), 'ignored', 'older incarnation');
  assert.equal(t.apply('a', 'suspect', 1, 0), 'changed');
  assert.equal(t.apply('a', 'alive', 1, 0), 'ignored', 'alive needs a higher incarnation to refute');
  assert.equal(t.apply('a', 'alive', 2, 0), 'changed');
  assert.equal(t.apply('a', 'dead', 2, 0), 'changed');
  assert.equal(t.apply('a', 'suspect', 2, 0), 'ignored');
  assert.equal(t.get('a')?.status, 'dead');
  assert.equal(t.live(), 0);
});

test('only the node itself refutes: suspect/dead about us bumps our incarnation', () => {
  const t = mk();
  assert.equal(t.apply('me', 'suspect', 0, 0), 'refute');
  assert.equal(t.incarnation, 1);
  assert.equal(t.apply('me', 'dead', 5, 0), 'refute');
  assert.equal(t.incarnation, 6);
  assert.equal(t.apply('me', 'suspect', 3, 0), 'ignored', 'stale claim');
  assert.equal(t.apply('me', 'alive', 9, 0), 'ignored');
  assert.equal(t.get('me'), undefined);
});

test('dead members are remembered for deadRetentionMs: stale alive gossip cannot re-add them', () => {
  const t = mk();
  t.apply('a', 'alive', 3, 0);
  t.apply('a', 'dead', 3, 1000);
  assert.equal(t.apply('a', 'alive', 3, 2000), 'ignored');
  assert.equal(t.addKnown('a', 2000), false, 'transport knowledge does not revive it either');
  assert.equal(t.prune(30_000), 0);
  assert.equal(t.prune(61_000), 1);
  assert.equal(t.get('a'), undefined);
  assert.equal(t.apply('x', 'dead', 1, 0), 'ignored', 'unknown and dead is not stored');
});

test('the table is bounded by maxMembers and sampling respects status', () => {
  const t = mk(50);
  for (let i = 0; i < 500; i++) t.apply(`n${i}`, 'alive', 0, 0);
  assert.equal(t.size, 50);
  assert.equal(t.overflow, 450);
  for (let i = 0; i < 10; i++) t.apply(`n${i}`, 'dead', 0, 0);
  const rnd = mulberry32(1);
  for (let r = 0; r < 100; r++) {
    const s = t.sample(3, rnd, 'alive', 'n20');
    assert.equal(s.length, 3);
    assert.equal(new Set(s).size, 3);
    for (const m of s) assert.ok(m.status === 'alive' && m.id !== 'n20');
  }
  assert.equal(t.sample(20, rnd, 'dead').length, 10);
});
