/** The stalled-download watchdog's decisions (agent/manager/stall-watch.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newStallMemo, stallDecision } from '../../agent/manager/stall-watch.ts';

test('bytes arriving keep the download alive', () => {
  const m = newStallMemo(0);
  for (let t = 0, left = 1000; t <= 120_000; t += 1000, left -= 5) {
    assert.equal(stallDecision(m, left, t, 30_000), 'ok');
  }
});

test('no new byte for stallMs → restart, then not again before another stallMs', () => {
  const m = newStallMemo(0);
  assert.equal(stallDecision(m, 500, 0, 30_000), 'ok');
  assert.equal(stallDecision(m, 500, 29_999, 30_000), 'ok');
  assert.equal(stallDecision(m, 500, 30_000, 30_000), 'restart');
  assert.equal(stallDecision(m, 500, 45_000, 30_000), 'ok');
  assert.equal(stallDecision(m, 500, 59_999, 30_000), 'ok');
  assert.equal(stallDecision(m, 500, 60_000, 30_000), 'restart');
});

test('progress after a restart resets the clock', () => {
  const m = newStallMemo(0);
  stallDecision(m, 500, 0, 30_000);
  assert.equal(stallDecision(m, 500, 30_000, 30_000), 'restart');
  assert.equal(stallDecision(m, 400, 31_000, 30_000), 'ok');
  assert.equal(stallDecision(m, 400, 60_999, 30_000), 'ok');
  assert.equal(stallDecision(m, 400, 61_000, 30_000), 'restart');
});

test('stallMs 0 disables the watchdog', () => {
  const m = newStallMemo(0);
  stallDecision(m, 500, 0, 0);
  assert.equal(stallDecision(m, 500, 10_000_000, 0), 'ok');
});
