/** When a reannounce will be heard (pure plan) and the kicker that defers it, on a fake clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../agent/lib/common/logger.ts';
import { FakeClock } from '../../../agent/lib/simnet/fake-clock.ts';
import { ANNOUNCE_LOG_LIMIT, AnnounceLog } from '../../../agent/lib/tracker/announce-log.ts';
import { AnnounceKicker, HEARD_MS, MAX_KICKS } from '../../../agent/manager/swarm/announce-kicker.ts';
import { announcePlan, GATE_MARGIN_MS } from '../../../agent/manager/swarm/announce-plan.ts';

const T = 1_700_000_000_000;
const rec = (count: number, firstAt: number, lastAt: number, intervalS: number, minIntervalS: number) => ({
  count,
  firstAt,
  lastAt,
  intervalS,
  minIntervalS,
});

test('no announce yet: nothing to do (the first announce will carry the peers)', () => {
  assert.deepEqual(announcePlan(null, 120, T), { kind: 'none', why: 'not-announced-yet' });
});

test('4.1: the gate is the min interval after the last announce', () => {
  const r = rec(1, T, T, 30, 1);
  assert.deepEqual(announcePlan(r, 0, T + 200), { kind: 'at', at: T + 1000 + GATE_MARGIN_MS });
  assert.deepEqual(announcePlan(r, 0, T + 2000), { kind: 'now' });
});

test('3.00/4.0: after the first announce the gate is 120 s, whatever the tracker said', () => {
  const seed = rec(1, T, T, 30, 1);
  assert.deepEqual(announcePlan(seed, 120, T + 5000), { kind: 'none', why: 'periodic-first' });
  const long = rec(1, T, T, 600, 1);
  assert.deepEqual(announcePlan(long, 120, T + 5000), { kind: 'at', at: T + 120_000 + GATE_MARGIN_MS });
  const second = rec(2, T, T + 1000, 30, 1);
  assert.deepEqual(announcePlan(second, 120, T + 3000), { kind: 'now' }, 'from the 2nd on: min interval');
});

test('a downloading daemon announcing every second needs no reannounce', () => {
  assert.deepEqual(announcePlan(rec(5, T, T + 4000, 1, 1), 120, T + 4100), {
    kind: 'none',
    why: 'periodic-first',
  });
});

test('the kicker sends at once when the gate is open, defers once when not, and stops cleanly', async () => {
  const clock = new FakeClock(T);
  const log = new AnnounceLog();
  const sent: string[] = [];
  const k = new AnnounceKicker({
    reannounce: async (h) => void sent.push(h),
    history: (h) => log.get(h),
    firstGateS: async () => 0,
    clock,
    log: silentLogger(),
  });
  log.record('a', T, 30, 1);
  k.request('a');
  k.request('a'); // a second request while one is deferred adds nothing
  await new Promise((r) => setImmediate(r));
  clock.advance(1200);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent, [], 'not before the gate (1 s + margin)');
  clock.advance(100);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent, ['a']);
  assert.equal(k.deferred, 1);
  k.request('b'); // never announced: nothing
  log.record('c', T, 30, 1);
  k.request('c');
  await new Promise((r) => setImmediate(r));
  k.stop();
  assert.equal(clock.pending(), 0, 'no timer left');
});

test('a reannounce the daemon dropped (no announce heard) is sent again, at most MAX_KICKS times', async () => {
  const clock = new FakeClock(T);
  const log = new AnnounceLog();
  const sent: string[] = [];
  const k = new AnnounceKicker({
    reannounce: async (h) => void sent.push(h),
    history: (h) => log.get(h),
    firstGateS: async () => 0,
    clock,
    log: silentLogger(),
  });
  const tick = async (ms: number) => {
    clock.advance(ms);
    for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
  };
  log.record('a', T - 5000, 30, 1);
  log.record('h', T - 5000, 30, 1);
  k.request('a');
  k.request('h');
  await tick(0);
  assert.deepEqual(sent, ['a', 'h']);
  log.record('h', clock.now() + 500, 30, 1); // h's daemon announced: heard
  await tick(HEARD_MS);
  assert.deepEqual(sent, ['a', 'h', 'a'], 'a not heard: sent again; h heard: not');
  await tick(HEARD_MS * 5);
  assert.equal(sent.filter((x) => x === 'a').length, MAX_KICKS, 'then given up');
  assert.equal(clock.pending(), 0);
  k.stop();
});

test('the announce log is bounded and keeps first/last/count', () => {
  const log = new AnnounceLog();
  log.record('x', 1, 1, 1);
  log.record('x', 5, 30, 1);
  assert.deepEqual(log.get('x'), { count: 2, firstAt: 1, lastAt: 5, intervalS: 30, minIntervalS: 1 });
  for (let i = 0; i < ANNOUNCE_LOG_LIMIT + 5; i++) log.record(`h${i}`, i, 1, 1);
  assert.equal(log.size, ANNOUNCE_LOG_LIMIT);
  assert.equal(log.get('x'), null, 'the least recently announced went first');
  log.forget(`h${ANNOUNCE_LOG_LIMIT}`);
  assert.equal(log.size, ANNOUNCE_LOG_LIMIT - 1);
});
