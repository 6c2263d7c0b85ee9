/**
 * natm's connectivity state machine (agent/natm/connectivity.ts) and its watch
 * (connectivity-watch.ts) with a fake clock: each condition is raised once after the grace
 * period and cleared once, never repeated per tick; a node that has just started is given the
 * grace period; the watch logs one warn line per raise, one info line per clear, and publishes
 * the node's health only when it changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { ConnectivityMachine, conditionsOf, type Observation } from '../../agent/natm/connectivity.ts';
import { ConnectivityWatch } from '../../agent/natm/connectivity-watch.ts';
import type { ClockEstimate } from '../../agent/lib/gossip/clock-offsets.ts';
import type { NodeHealth } from '../../agent/lib/gossip/health.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';

const noClock: ClockEstimate = { offsetMs: null, peers: 0, skewed: false, boundMs: 60_000 };
const healthy: Observation = {
  rendezvous: { configured: 1, alive: 1, lastContact: 1 },
  external: { address: '198.18.0.5', port: 4000 },
  paths: { direct: 1, punched: 2, bridged: 0, relayed: 1, none: 0 },
  clock: noClock,
};
const unreachable: Observation = {
  ...healthy,
  rendezvous: { configured: 1, alive: 0, lastContact: null },
  external: null,
  paths: { direct: 0, punched: 0, bridged: 0, relayed: 0, none: 0 },
};

test('conditions: each one from what it means, and none for a healthy node', () => {
  assert.deepEqual([...conditionsOf(healthy)], []);
  assert.deepEqual([...conditionsOf(unreachable)], ['no_rendezvous'], 'no external endpoint is implied');
  assert.deepEqual([...conditionsOf({ ...healthy, external: null })], ['no_external']);
  const relayed = { ...healthy, paths: { direct: 0, punched: 0, bridged: 0, relayed: 3, none: 1 } };
  assert.deepEqual([...conditionsOf(relayed)], ['relayed_only']);
  const skew = { ...healthy, clock: { offsetMs: 86_400_000, peers: 3, skewed: true, boundMs: 60_000 } };
  assert.deepEqual([...conditionsOf(skew)], ['clock_skew']);
  const child = { ...unreachable, rendezvous: { configured: 0, alive: 0, lastContact: null } };
  assert.deepEqual([...conditionsOf(child)], [], 'a bridge child with no rendezvous configured');
});

test('a condition is raised once after the grace period, however long it holds, and cleared once', () => {
  const m = new ConnectivityMachine(1000);
  assert.deepEqual(m.step(unreachable, 0), [], 'just started: grace');
  assert.deepEqual(m.step(unreachable, 999), []);
  assert.deepEqual(m.step(unreachable, 1000), [{ condition: 'no_rendezvous', raised: true, since: 0 }]);
  for (let t = 1100; t < 100_000; t += 100) assert.deepEqual(m.step(unreachable, t), []);
  assert.deepEqual(m.raised(), ['no_rendezvous']);
  assert.equal(m.view(unreachable).state, 'degraded');
  assert.deepEqual(m.step(healthy, 100_000), [{ condition: 'no_rendezvous', raised: false, since: 0 }]);
  assert.deepEqual(m.step(healthy, 100_100), []);
  assert.equal(m.view(healthy).state, 'ok');
});

test('a condition that flaps within the grace period is never raised', () => {
  const m = new ConnectivityMachine(1000);
  for (let t = 0; t < 20_000; t += 500) assert.deepEqual(m.step(t % 1000 ? unreachable : healthy, t), []);
});

test('the watch: one warn line when the rendezvous is unreachable, one info line when it answers again', () => {
  const clock = new FakeClock(0);
  const lines: Array<{ level: number; msg: string; condition?: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  let obs: Omit<Observation, 'clock'> = unreachable;
  const published: NodeHealth[] = [];
  const watch = new ConnectivityWatch(
    {
      clock,
      logger,
      link: { linkState: () => obs },
      clocks: { estimate: () => noClock },
      publish: (h) => void published.push(h),
    },
    { graceMs: 3000, intervalMs: 500 },
  );
  watch.start();
  clock.advance(60_000);
  const warns = lines.filter((l) => l.level === 40);
  assert.equal(warns.length, 1);
  assert.equal(warns[0]!.msg, 'no working rendezvous');
  assert.equal(warns[0]!.condition, 'no_rendezvous');
  assert.deepEqual(watch.view().conditions, ['no_rendezvous']);
  assert.deepEqual(
    published.map((h) => h.conditions),
    [[], ['no_rendezvous']],
    'published at start and at the change only',
  );
  obs = healthy;
  clock.advance(60_000);
  const infos = lines.filter((l) => l.level === 30);
  assert.deepEqual(
    infos.map((l) => l.msg),
    ['rendezvous answers again'],
  );
  assert.equal(lines.filter((l) => l.level === 40).length, 1);
  assert.equal(watch.view().state, 'ok');
  watch.stop();
  assert.equal(clock.pending(), 0);
});

test('the watch republishes the clock offset only when it moves by a second or more', () => {
  const clock = new FakeClock(0);
  let offset = 10;
  const published: NodeHealth[] = [];
  const watch = new ConnectivityWatch(
    {
      clock,
      logger: pino({ level: 'silent' }),
      link: { linkState: () => healthy },
      clocks: { estimate: () => ({ ...noClock, offsetMs: offset, peers: 3 }) },
      publish: (h) => void published.push(h),
    },
    { graceMs: 3000, intervalMs: 500 },
  );
  for (offset = 10; offset < 900; offset += 37) watch.tick();
  offset = 1500;
  watch.tick();
  assert.deepEqual(
    published.map((h) => h.clockOffsetMs),
    [10, 1500],
  );
});
