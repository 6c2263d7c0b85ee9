import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { MemberTable } from '../../agent/lib/gossip/member-table.ts';
import { Prober } from '../../agent/lib/gossip/prober.ts';
import { Attempt } from '../../agent/lib/gossip/fetch-attempt.ts';
import { RttEstimator } from '../../agent/lib/gossip/rtt.ts';
import { CHUNK_SIZE, type Body } from '../../agent/lib/gossip/messages.ts';

function prober() {
  const clock = new FakeClock(0);
  const table = new MemberTable('me', { maxMembers: 10, deadRetentionMs: 1, maxIncarnationStep: 64 });
  table.addKnown('t', 0);
  table.addKnown('h', 0);
  const sent: { peer: string; body: Body }[] = [];
  const rtts: number[] = [];
  const p = new Prober(
    {
      clock,
      random: () => 0,
      table,
      send: (peer, body) => void sent.push({ peer, body }),
      failed: () => {},
      rtt: (ms) => void rtts.push(ms),
    },
    { probeIntervalMs: 1000, probeTimeoutMs: 500, indirectChecks: 1, maxPendingProbes: 8 },
  );
  const seqOf = (peer: string) =>
    (sent.filter((s) => s.peer === peer && s.body.type === 'ping').at(-1)!.body as { seq: number }).seq;
  return { clock, p, sent, rtts, seqOf };
}

test('a direct ACK to a ping sent once is a round-trip sample; after a re-send, or forwarded by a helper, it is not (Karn)', () => {
  const { clock, p, rtts, sent } = prober();
  p.tick();
  const first = sent[0]!;
  clock.advance(37);
  p.onAck(first.peer, (first.body as { seq: number }).seq, 0);
  assert.deepEqual(rtts, [37]);
  clock.advance(1000);
  p.tick();
  const second = sent.at(-1)!;
  clock.advance(300); // past probeTimeoutMs/2: pinged again
  p.onAck(second.peer, (second.body as { seq: number }).seq, 0);
  assert.deepEqual(rtts, [37], 'ambiguous after a re-send');
  clock.advance(1000);
  p.tick();
  const third = sent.at(-1)!;
  clock.advance(20);
  p.onAck(third.peer === 't' ? 'h' : 't', (third.body as { seq: number }).seq, 0);
  assert.deepEqual(rtts, [37], 'an ACK forwarded by someone else is no sample of the link');
});

test('RTT estimator: srtt + 4·rttvar within floor and ceiling; no sample gives the fallback', () => {
  const r = new RttEstimator();
  assert.equal(r.rto(100, 500), 500);
  r.sample(40);
  assert.equal(r.rto(100, 500), 120); // 40 + 4·20
  r.sample(NaN);
  r.sample(-5);
  assert.equal(r.rto(100, 500), 120, 'junk samples are ignored');
  const slow = new RttEstimator();
  slow.sample(2000);
  assert.equal(slow.rto(100, 500), 500);
  const fast = new RttEstimator();
  fast.sample(2);
  assert.equal(fast.rto(100, 500), 100);
});

function attempt(firstRto?: () => number) {
  const clock = new FakeClock(0);
  const asked: number[] = [];
  const a = new Attempt(
    { clock, requestChunk: () => void asked.push(clock.now()), lapsed: () => {}, firstRto },
    'ab'.repeat(32),
    'holder',
    100,
    { window: 1, chunkTimeoutMs: 500, stallTimeoutMs: 60_000, fetchGraceMs: 60_000, minFetchRate: 1 },
  );
  return { clock, asked, a };
}

test('the first chunk request times out after the probe-based RTO (floor 100 ms, ceiling chunkTimeoutMs), then backs off; a retry is hedged at half its timeout', () => {
  const probe = attempt(() => 120);
  probe.clock.advance(1000);
  // RTO 120, doubled on each timeout (120, 360, 840); each retry asked again at half its RTO (240, 600).
  assert.deepEqual(probe.asked, [0, 120, 240, 360, 600, 840]);
  const none = attempt();
  none.clock.advance(1000);
  assert.deepEqual(none.asked, [0, 500, 750, 1000], 'no probe sample: chunkTimeoutMs (hedge at 750)');
  const tiny = attempt(() => 3);
  tiny.clock.advance(150);
  assert.deepEqual(tiny.asked, [0, 100], 'floor 100 ms');
  const huge = attempt(() => 9000);
  huge.clock.advance(600);
  assert.deepEqual(huge.asked, [0, 500], 'ceiling chunkTimeoutMs');
  for (const x of [probe, none, tiny, huge]) x.a.cancel();
});

test('a window whose requests all time out together backs off once per round of timeouts, not once per request', () => {
  const clock = new FakeClock(0);
  const asked: number[] = [];
  const a = new Attempt(
    { clock, requestChunk: () => void asked.push(clock.now()), lapsed: () => {}, firstRto: () => 120 },
    'ab'.repeat(32),
    'holder',
    8 * CHUNK_SIZE,
    { window: 8, chunkTimeoutMs: 500, stallTimeoutMs: 60_000, fetchGraceMs: 60_000, minFetchRate: 1 },
  );
  clock.advance(1000);
  const times = (t: number) => Array<number>(8).fill(t);
  // One loss burst: the 8 timeouts at 120 double the backoff once (240), not to 8× (500);
  // each retry is hedged at half its timeout (240, 600).
  assert.deepEqual(asked, [
    ...times(0),
    ...times(120),
    ...times(240),
    ...times(360),
    ...times(600),
    ...times(840),
  ]);
  a.cancel();
});

test('an answered retry cancels its hedge; a first try is never hedged', () => {
  const clock = new FakeClock(0);
  const asked: number[] = [];
  const a = new Attempt(
    { clock, requestChunk: () => void asked.push(clock.now()), lapsed: () => {}, firstRto: () => 120 },
    'ab'.repeat(32),
    'holder',
    2 * CHUNK_SIZE,
    { window: 1, chunkTimeoutMs: 500, stallTimeoutMs: 60_000, fetchGraceMs: 60_000, minFetchRate: 1 },
  );
  clock.advance(130); // chunk 0: first try at 0, retry at 120 (hedge due at 240)
  assert.equal(a.chunk(0, 2 * CHUNK_SIZE, new Uint8Array(CHUNK_SIZE)), 'more');
  assert.deepEqual(asked, [0, 120, 130], 'chunk 1 asked at once');
  clock.advance(100); // chunk 1 answered before its timeout (250): no retry
  assert.equal(a.chunk(CHUNK_SIZE, 2 * CHUNK_SIZE, new Uint8Array(CHUNK_SIZE)), 'complete');
  clock.advance(2000);
  assert.deepEqual(asked, [0, 120, 130], 'the answered retry sent no hedge; nothing after completion');
});

test('bound: a dead holder gets at most two requests per chunk per timeout (≤ 2 · window · (stall / chunkTimeoutMs + 4)) until the attempt stalls', () => {
  const clock = new FakeClock(0);
  const asked: number[] = [];
  const init = {
    window: 8,
    chunkTimeoutMs: 500,
    stallTimeoutMs: 15_000,
    fetchGraceMs: 5000,
    minFetchRate: 1,
  };
  const a = new Attempt(
    { clock, requestChunk: () => void asked.push(clock.now()), lapsed: () => {}, firstRto: () => 120 },
    'ab'.repeat(32),
    'holder',
    11 * CHUNK_SIZE,
    init,
  );
  clock.advance(init.stallTimeoutMs);
  assert.equal(a.health(clock.now()), 'stalled', 'the fetcher takes its slot now');
  const bound = 2 * init.window * (init.stallTimeoutMs / init.chunkTimeoutMs + 4);
  assert.ok(asked.length <= bound, `${asked.length} requests > ${bound}`);
  assert.ok(new Set(asked.slice(-16)).size <= 2, 'at the cap: one retry and one hedge per timeout');
  a.cancel();
});
