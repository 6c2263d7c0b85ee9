/**
 * The clock offset estimator (agent/lib/gossip/clock-offsets.ts): NTP's midpoint estimate
 * per peer, the median over peers, and the attacks: one peer lying about its time (however
 * far, however often) cannot move the estimate alone, implausible times and round trips are
 * refused, the sample is bounded, stale samples stop counting.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClockOffsets } from '../../agent/lib/gossip/clock-offsets.ts';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

/** A ping sent at `t`, answered 100 ms later by a peer whose clock reads ours + `peerOffset`. */
function ack(c: ClockOffsets, peer: string, t: number, peerOffset: number): boolean {
  return c.sample(peer, t, t + 50 + peerOffset, t + 100);
}

test('no peers: no estimate, not skewed', () => {
  const c = new ClockOffsets({ boundMs: 60_000 });
  assert.deepEqual(c.estimate(T0), { offsetMs: null, peers: 0, skewed: false, boundMs: 60_000 });
});

test('the midpoint of the round trip: a peer on our time gives offset 0, one a day behind us gives +1 day', () => {
  const c = new ClockOffsets({ boundMs: 60_000 });
  ack(c, 'a', T0, 0);
  assert.equal(c.peer('a', T0 + 100), 0);
  ack(c, 'b', T0, -DAY);
  assert.equal(c.peer('b', T0 + 100), -DAY);
  // Median of {0, -DAY} is -DAY/2: with two peers our offset is half a day; not a verdict (fewer than 3).
  const e = c.estimate(T0 + 100);
  assert.equal(e.offsetMs, DAY / 2);
  assert.equal(e.skewed, false);
});

test('our clock a day ahead of every peer: flagged, offset about +1 day', () => {
  const c = new ClockOffsets({ boundMs: 60_000 });
  for (const p of ['a', 'b', 'c']) ack(c, p, T0, -DAY + 20);
  const e = c.estimate(T0 + 100);
  assert.equal(e.peers, 3);
  assert.equal(e.offsetMs, DAY - 20);
  assert.equal(e.skewed, true);
});

test('one peer lying about its time cannot move the estimate alone', () => {
  const c = new ClockOffsets({ boundMs: 60_000 });
  ack(c, 'a', T0, 10);
  ack(c, 'b', T0, -30);
  for (const lie of [DAY, -DAY, 2 ** 52, 1]) {
    // The liar answers every ping; each answer replaces its one vote.
    for (let i = 0; i < 100; i++) ack(c, 'liar', T0 + i, lie - T0 - 50);
    const e = c.estimate(T0 + 200);
    assert.equal(e.skewed, false, `lie ${lie}`);
    assert.ok(Math.abs(e.offsetMs!) <= 30, `lie ${lie}: offset ${e.offsetMs} within the honest peers'`);
  }
});

test('implausible answers are refused: not a time, no time, a round trip too long or negative', () => {
  const c = new ClockOffsets({ boundMs: 60_000, maxRttMs: 2000 });
  assert.equal(c.sample('a', T0, Number.NaN, T0 + 10), false);
  assert.equal(c.sample('a', T0, 0, T0 + 10), false);
  assert.equal(c.sample('a', T0, 2 ** 60, T0 + 10), false);
  assert.equal(c.sample('a', T0, T0, T0 + 2001), false, 'a slow answer says little about the time');
  assert.equal(c.sample('a', T0 + 10, T0, T0), false, 'an answer before the ping');
  assert.equal(c.rejected, 5);
  assert.equal(c.estimate(T0).peers, 0);
});

test('bounded: at most maxPeers samples, the oldest go first', () => {
  const c = new ClockOffsets({ boundMs: 60_000, maxPeers: 8 });
  for (let i = 0; i < 1000; i++) ack(c, `p${i}`, T0 + i, i < 992 ? DAY : 0);
  const e = c.estimate(T0 + 1100);
  assert.equal(e.peers, 8);
  assert.equal(e.offsetMs, 0, 'only the 8 newest peers count');
  assert.equal(c.peer('p0', T0 + 1100), null);
});

test('samples older than maxAgeMs stop counting', () => {
  const c = new ClockOffsets({ boundMs: 60_000, maxAgeMs: 600_000 });
  for (const p of ['a', 'b', 'c']) ack(c, p, T0, -DAY);
  assert.equal(c.estimate(T0 + 600_100).skewed, true);
  assert.deepEqual(c.estimate(T0 + 600_101), { offsetMs: null, peers: 0, skewed: false, boundMs: 60_000 });
  assert.equal(c.peer('a', T0 + 600_101), null);
});

test('within the bound: an offset is reported but not flagged', () => {
  const c = new ClockOffsets({ boundMs: 60_000 });
  for (const p of ['a', 'b', 'c', 'd']) ack(c, p, T0, -59_000);
  const e = c.estimate(T0 + 100);
  assert.equal(e.offsetMs, 59_000);
  assert.equal(e.skewed, false);
});
