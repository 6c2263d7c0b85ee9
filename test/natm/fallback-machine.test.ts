/**
 * natm's stream fallback machine (agent/natm/fallback-machine.ts), driven by hand: it falls
 * back only after afterMs without a UDP answer, tries tcp then tls on every rendezvous in
 * that order, logs each change once, probes UDP on the stream and returns when answered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  candidatesOf,
  FallbackMachine,
  LOST_RETRY_MS,
  type FallbackAction,
} from '../../agent/natm/fallback-machine.ts';

const timing = { afterMs: 35_000, probeMs: 15_000 };
const logs = (a: FallbackAction[]) => a.flatMap((x) => (x.do === 'log' ? [x.event] : []));
const connects = (a: FallbackAction[]) =>
  a.flatMap((x) => (x.do === 'connect' ? [`${x.candidate.kind}:${x.candidate.rdv}`] : []));

test('candidates: tcp to every rendezvous, then tls', () => {
  assert.deepEqual(
    candidatesOf(2, ['tcp', 'tls']).map((c) => `${c.kind}:${c.rdv}`),
    ['tcp:0', 'tcp:1', 'tls:0', 'tls:1'],
  );
});

test('UDP answering keeps it on UDP; silence for afterMs starts the attempts', () => {
  const m = new FallbackMachine(candidatesOf(1, ['tcp', 'tls']), timing, 0);
  assert.deepEqual(m.tick(34_999), []);
  assert.deepEqual(m.udpAnswered(30_000), []);
  assert.deepEqual(m.tick(64_999), []);
  assert.deepEqual(connects(m.tick(65_000)), ['tcp:0']);
  assert.equal(m.state.mode, 'connecting');
  assert.deepEqual(m.tick(66_000), [], 'no second attempt while one is running');
});

test('tcp refused, tls tried next; connected logs fell_back once; probes every probeMs', () => {
  const m = new FallbackMachine(candidatesOf(1, ['tcp', 'tls']), timing, 0);
  m.tick(35_000);
  assert.deepEqual(connects(m.failed(35_100)), ['tls:0']);
  const up = m.connected(35_200);
  assert.deepEqual(logs(up), ['fell_back']);
  assert.deepEqual(m.state, { mode: 'stream', candidate: { kind: 'tls', rdv: 0 } });
  assert.deepEqual(m.tick(40_000), []);
  assert.deepEqual(m.tick(50_200), [{ do: 'probe' }]);
  assert.deepEqual(m.tick(51_000), []);
  const back = m.udpAnswered(52_000);
  assert.deepEqual(back[0], { do: 'close' });
  assert.deepEqual(logs(back), ['returned']);
  assert.equal(m.state.mode, 'udp');
  assert.deepEqual(m.tick(86_999), [], 'back on UDP, the bound starts again');
});

test('every candidate failing logs no_stream once per spell, and retries after afterMs', () => {
  const m = new FallbackMachine(candidatesOf(2, ['tcp']), timing, 0);
  m.tick(35_000);
  assert.deepEqual(connects(m.failed(35_001)), ['tcp:1']);
  assert.deepEqual(logs(m.failed(35_002)), ['no_stream']);
  assert.equal(m.state.mode, 'udp');
  assert.deepEqual(m.tick(70_001), []);
  assert.deepEqual(connects(m.tick(70_002)), ['tcp:0']);
  m.failed(70_003);
  assert.deepEqual(logs(m.failed(70_004)), [], 'not logged again');
  m.tick(105_004);
  assert.deepEqual(logs(m.connected(105_005)), ['fell_back']);
});

test('a lost stream is logged and retried after LOST_RETRY_MS; stale callbacks are ignored', () => {
  const m = new FallbackMachine(candidatesOf(1, ['tcp']), timing, 0);
  m.tick(35_000);
  m.connected(35_001);
  assert.deepEqual(logs(m.lost(40_000)), ['stream_lost']);
  assert.deepEqual(m.lost(40_001), []);
  assert.deepEqual(m.failed(40_001), []);
  assert.deepEqual(m.tick(40_000 + LOST_RETRY_MS - 1), []);
  assert.deepEqual(connects(m.tick(40_000 + LOST_RETRY_MS)), ['tcp:0']);
  assert.deepEqual(m.udpAnswered(45_100), [{ do: 'close' }], 'UDP answered while connecting: abort');
  assert.deepEqual(m.connected(45_200), [{ do: 'close' }], 'a late connect is closed');
});

test('no candidates (no stream configured): never leaves UDP', () => {
  const m = new FallbackMachine([], timing, 0);
  assert.deepEqual(m.tick(1e9), []);
});
