/**
 * Fetch scheduling against slow and lying holders (issue 16 item 3), one bound per test:
 * a slot per holder, the rate bound, blame for bad bytes, penalties, the queue's limits,
 * and "a bare announcement never displaces anything" (docs/protocol/gossip.md §Fetch scheduling).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { GOSSIP_DEFAULTS } from '../../agent/lib/gossip/config.ts';
import { Fetcher, type FetcherInit } from '../../agent/lib/gossip/fetcher.ts';
import { CHUNK_SIZE, MAX_BLOB, type DigestEntry } from '../../agent/lib/gossip/messages.ts';
import { makeBlob } from '../../agent/lib/gossip/sim/blob.ts';
import { SourceBook } from '../../agent/lib/gossip/source-book.ts';

const D = GOSSIP_DEFAULTS;
const defaults: FetcherInit = {
  ...D,
  maxActive: D.maxActiveFetches,
  maxQueued: D.maxQueuedFetches,
  window: D.fetchWindow,
};

function setup(over: Partial<FetcherInit> = {}) {
  const clock = new FakeClock(0);
  const asked: { peer: string; id: string; offset: number }[] = [];
  const done: string[] = [];
  const abandoned: string[] = [];
  const f = new Fetcher(
    {
      clock,
      requestChunk: (peer, id, offset) => void asked.push({ peer, id, offset }),
      complete: (e) => void done.push(e.id),
      abandon: (id, reason) => void abandoned.push(`${id}:${reason}`),
    },
    { ...defaults, ...over },
  );
  /** `peer` answers (up to `max` of) the requests for `id` it was sent, with `bytes` (or junk). */
  const serve = (
    peer: string,
    id: string,
    bytes: Uint8Array | null,
    total = bytes?.length ?? MAX_BLOB,
    max = 1e9,
  ) => {
    const mine = asked.filter((a) => a.peer === peer && a.id === id).slice(0, max);
    asked.splice(0, asked.length, ...asked.filter((a) => !mine.includes(a)));
    for (const a of mine) {
      const len = Math.min(CHUNK_SIZE, total - a.offset);
      const data = bytes ? bytes.slice(a.offset, a.offset + len) : new Uint8Array(len).fill(0x5a);
      f.onChunk(peer, id, a.offset, total, false, data);
    }
  };
  return { clock, asked, done, abandoned, f, serve };
}

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const junk = (i: number, uri = `app://junk${i}`, version = 1): DigestEntry => ({
  id: hex(`junk-${i}-${uri}-${version}`),
  uri,
  version,
  size: MAX_BLOB,
});
const entry = (b: { id: string; bytes: Uint8Array }, uri: string, version: number): DigestEntry => ({
  id: b.id,
  uri,
  version,
  size: b.bytes.length,
});

test('one holder gets one fetch slot: its four slow blobs leave three slots for the others', () => {
  const { clock, f, done, serve } = setup();
  for (let i = 0; i < 4; i++) f.want(junk(i), 'h');
  assert.deepEqual(
    f.attempts().map((a) => a.source),
    ['h'],
    'h holds one slot; its other three fetches wait without one',
  );
  assert.equal(f.queuedCount, 3);
  const real = makeBlob('app://fw', 1, 3000);
  f.want(entry(real, 'app://fw', 1), 'o');
  serve('o', real.id, real.bytes);
  assert.deepEqual(done, [real.id], 'fetched at once from the honest holder');
  // The slow-loris: one chunk per 10 s. It loses its slot once below 8 KiB/s after the 5 s grace.
  serve('h', junk(0).id, null, MAX_BLOB, 1);
  clock.advance(D.fetchGraceMs + D.chunkTimeoutMs); // (checked on every chunk and chunk timeout)
  assert.equal(f.failures.slow, 1);
  assert.ok(f.book.penalizedUntil('h') > clock.now(), 'and sits out a penalty');
  assert.equal(f.activeCount, 0, 'none of its waiting fetches starts while it is penalized');
  f.stop();
});

test('a higher announced version never cancels a fetch; only a relayed (verified) one does', () => {
  const { f, abandoned, serve, done } = setup({ maxActive: 1 });
  const other = makeBlob('app://other', 1, 40_000);
  f.want(entry(other, 'app://other', 1), 'p'); // holds the one slot, healthy
  const real = makeBlob('app://fw', 1, 3000);
  f.want(entry(real, 'app://fw', 1), 'o');
  const bogus = junk(9, 'app://fw', 999);
  f.want(bogus, 'h');
  assert.ok(f.has(real.id), 'the queued real fetch is still there');
  assert.ok(f.has(bogus.id), 'the higher one is fetched alongside, not instead');
  assert.equal(abandoned.length, 0);
  for (let i = 0; i < 6; i++) serve('p', other.id, other.bytes);
  assert.deepEqual(done, [other.id]);
  serve('o', real.id, real.bytes);
  assert.deepEqual(done, [other.id, real.id]);
  // The manager verified and relayed app://fw@5: fetches of app://fw up to 5 are moot.
  const v3 = makeBlob('app://fw', 3, 3000);
  f.want(entry(v3, 'app://fw', 3), 'o');
  f.supersede('app://fw', 5);
  assert.ok(!f.has(v3.id));
  assert.ok(abandoned.includes(`${v3.id}:superseded`));
  assert.ok(f.has(bogus.id), 'a higher one stays until the manager has seen it');
  f.stop();
});

test('bytes that fail the hash are blamed on the one holder that served them; the next goes on at once', () => {
  const { f, done, abandoned, serve } = setup();
  const real = makeBlob('app://fw', 1, 30_000);
  f.want({ ...entry(real, 'app://fw', 1), size: MAX_BLOB }, 'liar'); // first, and with a wrong size
  f.want({ ...entry(real, 'app://fw', 1), version: 7 }, 'h');
  f.want(entry(real, 'app://fw', 1), 'o');
  assert.deepEqual(f.sourcesOf(real.id), ['liar', 'h', 'o']);
  serve('liar', real.id, null, MAX_BLOB); // (as many chunks as it was asked: far from done)
  for (let i = 0; i < 5000 && f.attempts()[0]?.source === 'liar'; i++) serve('liar', real.id, null, MAX_BLOB);
  assert.equal(f.book.strikesOf('liar'), 1, 'junk for 2 MiB: it failed the hash');
  for (let i = 0; i < 8; i++) serve('h', real.id, null, 30_000);
  assert.equal(f.failures['hash-mismatch'], 2);
  assert.equal(f.book.strikesOf('h'), 1);
  for (let i = 0; i < 8; i++) serve('o', real.id, real.bytes);
  assert.deepEqual(done, [real.id], 'without waiting for another announcement');
  assert.equal(abandoned.length, 0);
  assert.equal(f.book.strikesOf('o'), 0);
  assert.equal(f.book.strikesOf('liar'), 1);
  f.stop();
});

test('a holder waits out its penalty (its fetch waiting without a slot), then gets another try', () => {
  const { clock, f, asked, done, serve } = setup();
  const b = makeBlob('app://x', 1, 3000);
  f.want(entry(b, 'app://x', 1), 'p');
  clock.advance(D.stallTimeoutMs); // p never answers: first strike, 30 s out
  assert.equal(f.failures.stalled + f.failures.slow, 1);
  assert.ok(!f.has(b.id), 'its only holder failed: the id is fetchable again');
  f.want(entry(b, 'app://x', 1), 'p'); // announced again
  asked.length = 0;
  assert.equal(f.activeCount, 0, 'waits while p is penalized');
  clock.advance(f.book.penalizedUntil('p') - clock.now());
  assert.equal(f.activeCount, 1, 'started when the penalty ended');
  serve('p', b.id, b.bytes);
  assert.deepEqual(done, [b.id]);
  assert.equal(f.book.strikesOf('p'), 1, 'bytes that hash right prove nothing');
  f.forgive('p'); // the manager verified it
  assert.equal(f.book.strikesOf('p'), 0);
  f.stop();
  assert.equal(clock.pending(), 0);
});

test('penalties double with each strike up to the cap; a verified blob takes one away; the book is bounded', () => {
  const clock = new FakeClock(0);
  const book = new SourceBook(clock, { penaltyMs: 30_000, maxPenaltyMs: 1_800_000 });
  const ms = Array.from({ length: 10 }, () => book.strike('h'));
  assert.deepEqual(
    ms,
    [30, 60, 120, 240, 480, 960, 1800, 1800, 1800, 1800].map((s) => s * 1000),
  );
  assert.equal(book.penalizedUntil('h'), 1_800_000);
  book.forgive('h');
  assert.equal(book.strikesOf('h'), 9);
  assert.equal(book.penalizedUntil('h'), 1_800_000, 'the running penalty stays');
  clock.advance(1_800_000);
  assert.equal(book.penalizedUntil('h'), 0);
  for (let i = 0; i < 10_000; i++) book.strike(`x${i}`);
  assert.ok(book.size <= 4096);
});

test('one holder names at most maxJobsPerSource fetches; a full queue makes room only from penalized holders', () => {
  const { clock, f, abandoned } = setup({ maxQueued: 20, maxActive: 1 });
  let accepted = 0;
  for (let i = 0; i < 100; i++) if (f.want(junk(i), 'h')) accepted++;
  assert.equal(accepted, D.maxJobsPerSource, 'h alone cannot fill the queue');
  for (let i = 0; f.queuedCount < 20; i++) f.want(junk(100 + i), `g${i % 4}`);
  const real = makeBlob('app://fw', 1, 3000);
  assert.equal(
    f.want(entry(real, 'app://fw', 1), 'o'),
    false,
    'full of fetches from holders in good standing',
  );
  assert.equal(f.failures.evicted, 0);
  clock.advance(D.fetchGraceMs + 500); // h's running fetch delivers nothing: h is penalized
  assert.ok(f.book.penalizedUntil('h') > 0);
  for (let i = 0; f.queuedCount < 20; i++) f.want(junk(200 + i), `k${i}`);
  assert.equal(f.want(entry(real, 'app://fw', 1), 'o'), true, 'a fetch from a penalized holder made room');
  assert.equal(f.failures.evicted, 1);
  const evicted = abandoned.find((a) => a.endsWith(':evicted'))!.split(':')[0];
  assert.deepEqual(f.sourcesOf(evicted!), [], 'gone');
  assert.ok(
    [...Array(100).keys()].some((i) => junk(i).id === evicted),
    "it was one of h's",
  );
  assert.ok(f.queuedCount <= 20);
  f.stop();
});

test('many holders of one id: at most maxSources are kept; a penalized one makes room for a newcomer', () => {
  const { clock, f, done, serve } = setup();
  const real = makeBlob('app://fw', 1, 3000);
  const e = entry(real, 'app://fw', 1);
  for (let i = 0; i < 100; i++) f.want(e, `s${i}`); // 100 made-up holders claim the real id
  assert.equal(f.sourcesOf(real.id).length, D.maxSources, 'bounded');
  f.want(e, 'o');
  assert.ok(!f.sourcesOf(real.id).includes('o'), 'full of holders in good standing');
  f.strike('s3'); // the manager refused what s3 served elsewhere
  f.want(e, 'o');
  const kept = f.sourcesOf(real.id);
  assert.equal(kept.length, D.maxSources);
  assert.ok(kept.includes('o') && !kept.includes('s3'), 'the penalized holder made room');
  assert.equal(f.attempts()[0]?.source, 's0', 'the running attempt keeps its holder');
  // s0 stalls; the fetch moves on and, the other made-up holders failing alike, reaches o.
  const tried: string[] = [];
  for (let ms = 0; ms < 10 * D.maxSources * D.stallTimeoutMs && !done.length; ms += 100) {
    const src = f.attempts()[0]?.source;
    if (src && tried.at(-1) !== src) tried.push(src);
    if (src === 'o') serve('o', real.id, real.bytes);
    else clock.advance(100);
  }
  assert.deepEqual(done, [real.id]);
  assert.deepEqual(tried, [...kept.filter((p) => p !== 'o'), 'o'], 'each holder once, o last');
  assert.equal(f.failures.stalled + f.failures.slow, D.maxSources - 1);
  f.stop();
});
