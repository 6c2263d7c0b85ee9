import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INCARNATION_FREE, MAX_INCARNATION, MemberTable } from '../../agent/lib/gossip/member-table.ts';
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

test('incarnation bounds: above 2^32, hearsay counts only one step above what the node itself claimed', () => {
  const FREE = INCARNATION_FREE;
  const t = new MemberTable('me', { maxMembers: 10, deadRetentionMs: 60_000, maxIncarnationStep: 8 });
  assert.equal(t.apply('a', 'alive', FREE, 0, 'b'), 'changed', 'up to 2^32 anything goes, as in SWIM');
  assert.equal(t.apply('a', 'suspect', FREE + 1, 0, 'b'), 'unproven', 'a never claimed more than 0');
  assert.equal(t.apply('x', 'alive', FREE + 1, 0, 'b'), 'unproven', 'nor an unknown node');
  assert.equal(t.get('x'), undefined);
  assert.equal(t.apply('a', 'alive', FREE + 100, 0, 'a'), 'changed', 'a itself may claim any incarnation');
  assert.equal(t.get('a')?.proven, FREE + 100);
  assert.equal(t.apply('a', 'suspect', FREE + 108, 0, 'b'), 'changed', 'one step above its own claim');
  assert.equal(t.apply('a', 'dead', FREE + 109, 0, 'b'), 'unproven', 'and no further');
  assert.equal(t.apply('a', 'dead', FREE + 109, 0), 'changed', 'our own decisions are not hearsay');
  assert.equal(t.apply('a', 'alive', 2 ** 53, 0, 'a'), 'ignored', 'not a safe integer');
});

test('incarnation bounds: we refute only what others can believe, and never past 2^53 - 1', () => {
  const t = new MemberTable('me', { maxMembers: 10, deadRetentionMs: 60_000, maxIncarnationStep: 8 });
  assert.equal(
    t.apply('me', 'suspect', INCARNATION_FREE, 0, 'b'),
    'refute',
    'a fresh node refutes up to 2^32',
  );
  assert.equal(t.incarnation, INCARNATION_FREE + 1);
  assert.equal(t.apply('me', 'dead', INCARNATION_FREE + 9, 0, 'b'), 'refute', 'one step');
  assert.equal(t.apply('me', 'dead', INCARNATION_FREE + 19, 0, 'b'), 'unproven', 'more than one step');
  assert.equal(t.incarnation, INCARNATION_FREE + 10);
  assert.equal(t.apply('me', 'dead', MAX_INCARNATION - 1, 0, 'b'), 'unproven');
  t.incarnation = MAX_INCARNATION - 1;
  assert.equal(t.ceiling(t.incarnation), MAX_INCARNATION - 1);
  assert.equal(t.apply('me', 'dead', MAX_INCARNATION - 1, 0, 'b'), 'refute');
  assert.equal(t.incarnation, MAX_INCARNATION, 'the top is reachable only by ~1.4e14 forged claims');
});
