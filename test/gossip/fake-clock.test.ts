import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../agent/common/fake-clock.ts';

test('timers run in due order, same-time timers in creation order', () => {
  const c = new FakeClock(0);
  const seen: string[] = [];
  c.setTimeout(() => seen.push('b@20'), 20);
  c.setTimeout(() => seen.push('a@10'), 10);
  c.setTimeout(() => seen.push('c@20'), 20);
  c.setTimeout(() => {
    seen.push('d@15');
    c.setTimeout(() => seen.push('e@16'), 1);
  }, 15);
  c.advance(19);
  assert.deepEqual(seen, ['a@10', 'd@15', 'e@16']);
  assert.equal(c.now(), 19);
  c.advance(1);
  assert.deepEqual(seen.slice(3), ['b@20', 'c@20']);
});

test('intervals repeat, cancel stops them, pending counts live timers', () => {
  const c = new FakeClock(1000);
  let n = 0;
  const t = c.setInterval(() => n++, 100);
  const once = c.setTimeout(() => (n += 100), 50);
  once.cancel();
  c.advance(1000);
  assert.equal(n, 10);
  assert.equal(c.pending(), 1);
  t.cancel();
  c.advance(1000);
  assert.equal(n, 10);
  assert.equal(c.pending(), 0);
});

test('runUntil stops when the predicate holds or returns -1 at the limit', () => {
  const c = new FakeClock(0);
  let done = false;
  c.setTimeout(() => (done = true), 1234);
  assert.equal(
    c.runUntil(() => done, 5000, 100),
    1300,
  );
  assert.equal(
    c.runUntil(() => false, 500, 100),
    -1,
  );
});
