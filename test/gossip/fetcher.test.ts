import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { Fetcher, type FetcherInit } from '../../agent/lib/gossip/fetcher.ts';
import { CHUNK_SIZE } from '../../agent/lib/gossip/messages.ts';
import { makeBlob } from '../../agent/lib/gossip/sim/blob.ts';

const init: FetcherInit = {
  maxActive: 1,
  maxQueued: 2,
  maxSources: 3,
  maxActivePerSource: 1,
  maxJobsPerSource: 16,
  window: 4,
  chunkTimeoutMs: 500,
  stallTimeoutMs: 3000,
  fetchGraceMs: 5000,
  minFetchRate: 8192,
  sourcePenaltyMs: 30_000,
  maxSourcePenaltyMs: 1_800_000,
};

function setup() {
  const clock = new FakeClock(0);
  const asked: { peer: string; offset: number }[] = [];
  const done: string[] = [];
  const abandoned: string[] = [];
  const f = new Fetcher(
    {
      clock,
      requestChunk: (peer, _id, offset) => void asked.push({ peer, offset }),
      complete: (e) => void done.push(e.id),
      abandon: (id, reason) => void abandoned.push(`${id.slice(0, 4)}:${reason}`),
    },
    init,
  );
  return { clock, asked, done, abandoned, f };
}

test('window of requests to one holder; a lost request goes to it again; "missing" moves on to the next holder', () => {
  const { clock, asked, done, f } = setup();
  const b = makeBlob('app://x', 1, 5500); // 6 chunks
  const e = { id: b.id, uri: 'app://x', version: 1, size: 5500 };
  f.want(e, 'a');
  f.want(e, 'b');
  assert.deepEqual(
    asked.map((x) => `${x.peer}@${x.offset}`),
    [0, 1, 2, 3].map((i) => `a@${i * CHUNK_SIZE}`),
    'window of 4, all from the one holder of this attempt',
  );
  clock.advance(500); // lost: asked again, of the same holder
  assert.deepEqual(
    asked.slice(4).map((x) => x.peer),
    ['a', 'a', 'a', 'a'],
  );
  // a holds nothing: its "missing" reply says total 0 (notifications.ts serve)
  f.onChunk('a', b.id, 0, 0, true, new Uint8Array(0));
  assert.equal(f.badChunks, 0, '"missing" is understood, not counted as bad');
  assert.equal(f.book.strikesOf('a'), 0, 'having nothing is no fault');
  assert.deepEqual(
    asked.slice(8).map((x) => `${x.peer}@${x.offset}`),
    [0, 1, 2, 3].map((i) => `b@${i * CHUNK_SIZE}`),
    'the next holder starts over at once',
  );
  f.onChunk('a', b.id, CHUNK_SIZE, 5500, false, b.bytes.slice(CHUNK_SIZE, 2 * CHUNK_SIZE));
  assert.equal(f.badChunks, 1, 'a chunk from a holder this attempt did not ask is dropped');
  for (let off = 0; off < 5500; off += CHUNK_SIZE)
    f.onChunk('b', b.id, off, 5500, false, b.bytes.slice(off, off + CHUNK_SIZE));
  assert.deepEqual(done, [b.id]);
  assert.equal(f.activeCount, 0);
});

test('a fetch without progress is abandoned; at most maxQueued wait; wrong sizes are dropped', () => {
  const { clock, abandoned, f } = setup();
  const mk = (v: number) => makeBlob('app://y', v, 2000);
  const [b1, b2, b3, b4] = [1, 2, 3, 4].map(mk);
  f.want({ id: b1!.id, uri: 'app://z', version: 1, size: 2000 }, 'a');
  f.want({ id: b2!.id, uri: 'app://y', version: 2, size: 2000 }, 'a');
  f.want({ id: b3!.id, uri: 'app://w', version: 3, size: 2000 }, 'a');
  assert.equal(f.want({ id: b4!.id, uri: 'app://v', version: 4, size: 2000 }, 'a'), false, 'queue full');
  f.onChunk('a', b1!.id, 0, 2000, false, new Uint8Array(10));
  assert.equal(f.badChunks, 1);
  clock.advance(3500);
  assert.ok(abandoned.some((x) => x.endsWith(':stalled')));
  f.stop();
  assert.equal(f.activeCount + f.queuedCount, 0);
  assert.equal(clock.pending(), 0, 'stop cancelled every chunk and wake-up timer');
});
