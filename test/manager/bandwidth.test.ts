/**
 * The manager's bandwidth section: strict config (hostile values refused with the key),
 * the session-set arguments it becomes, and the keeper that sets them (fake clock, fake
 * daemon: retries while the daemon is down, then every 10 minutes).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../agent/lib/common/errors.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { BandwidthKeeper, REAPPLY_MS } from '../../agent/manager/bandwidth.ts';
import { dayMask, sessionLimits } from '../../agent/manager/config-bandwidth.ts';
import { validateConfig } from '../../agent/manager/config.ts';

const base = { trustedKeys: ['/k.pub'], stateDir: '/s', inboxDir: '/i', transmission: { downloadDir: '/d' } };
const window = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  from: '08:00',
  to: '18:30',
  downloadKBps: 50,
  uploadKBps: 10,
};
const bandwidthOf = (bandwidth: unknown) => validateConfig({ ...base, bandwidth }).bandwidth;

test('no bandwidth section, or null: the daemon keeps its own settings', () => {
  assert.equal(validateConfig(base).bandwidth, undefined);
  assert.equal(bandwidthOf(null), null);
});

test('limits and a window become the session-set arguments of both releases', () => {
  const b = bandwidthOf({ downloadKBps: 2000, uploadKBps: 500, window })!;
  assert.deepEqual(sessionLimits(b), {
    'speed-limit-down-enabled': true,
    'speed-limit-up-enabled': true,
    'speed-limit-down': 2000,
    'speed-limit-up': 500,
    'alt-speed-time-enabled': true,
    'alt-speed-time-begin': 480,
    'alt-speed-time-end': 1110,
    'alt-speed-time-day': 2 + 4 + 8 + 16 + 32,
    'alt-speed-down': 50,
    'alt-speed-up': 10,
  });
  assert.equal(dayMask(['sun', 'sat']), 65);
});

test('no limit and no window switch the limits and the alternative speeds off', () => {
  assert.deepEqual(sessionLimits(bandwidthOf({})!), {
    'speed-limit-down-enabled': false,
    'speed-limit-up-enabled': false,
    'alt-speed-time-enabled': false,
    'alt-speed-enabled': false,
  });
});

test('hostile or wrong values are refused, naming the key', () => {
  const refused: [unknown, RegExp][] = [
    [{ downloadKBps: 0 }, /bandwidth\.downloadKBps: expected an integer in \[1, 10000000\]/],
    [{ uploadKBps: 1e12 }, /bandwidth\.uploadKBps/],
    [{ uploadKBps: '100' }, /bandwidth\.uploadKBps/],
    [{ window: { ...window, from: '24:00' } }, /bandwidth\.window\.from: expected a time "HH:MM"/],
    [{ window: { ...window, to: '8:00' } }, /bandwidth\.window\.to/],
    [{ window: { ...window, to: '08:00' } }, /bandwidth\.window\.to: expected a "to" other than "from"/],
    [{ window: { ...window, days: ['monday'] } }, /bandwidth\.window\.days\[0\]: expected "sun" or "mon"/],
    [{ window: { ...window, days: [] } }, /bandwidth\.window\.days: .*at least one day/],
    [{ window: { ...window, days: Array(8).fill('mon') } }, /bandwidth\.window\.days/],
    [{ window: { ...window, burst: 1 } }, /bandwidth\.window\.burst: unknown key/],
    [{ turbo: true }, /bandwidth\.turbo: unknown key \(allowed here: downloadKBps, uploadKBps, window\)/],
  ];
  for (const [bandwidth, re] of refused)
    assert.throws(
      () => bandwidthOf(bandwidth),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      JSON.stringify(bandwidth),
    );
});

test('the keeper retries while the daemon is down (5 s doubling to 60 s), then re-sets every 10 minutes', async () => {
  const clock = new FakeClock();
  const calls: number[] = [];
  let down = 6;
  const keeper = new BandwidthKeeper(
    {
      clock,
      log: silentLogger(),
      setSession: async (f) => {
        calls.push(clock.now());
        assert.equal(f['speed-limit-down'], 100);
        if (down-- > 0) throw new Error('ECONNREFUSED');
      },
    },
    bandwidthOf({ downloadKBps: 100 })!,
  );
  const t0 = clock.now();
  keeper.start();
  for (let i = 0; i < 60 * 25; i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(1000);
  }
  keeper.stop();
  const gaps = calls.slice(1).map((t, i) => (t - calls[i]!) / 1000);
  assert.equal(calls[0], t0);
  assert.deepEqual(gaps.slice(0, 7), [5, 10, 20, 40, 60, 60, REAPPLY_MS / 1000]);
  assert.equal(keeper.applied, calls.length - 6);
  assert.equal(clock.pending(), 0, 'stop leaves no timer');
});
