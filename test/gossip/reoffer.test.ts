/**
 * Notifications.reoffer: what was fetched and handed up while no manager listened (natm or
 * manager restarting) is handed up again when a manager says hello, not after
 * offerTimeoutMs; answered or timed-out offers are not; the bytes kept for it are bounded
 * by maxStoreBytes (a flood of offers cannot make natm hold more).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GOSSIP_DEFAULTS } from '../../agent/lib/gossip/config.ts';
import { CHUNK_SIZE } from '../../agent/lib/gossip/messages.ts';
import { Notifications } from '../../agent/lib/gossip/notifications.ts';
import { makeBlob } from '../../agent/lib/gossip/sim/blob.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';

function setup(maxStoreBytes = GOSSIP_DEFAULTS.maxStoreBytes) {
  const clock = new FakeClock();
  const blobs = new Map<string, Uint8Array>();
  const handed: string[] = [];
  const n: Notifications = new Notifications(
    {
      clock,
      // The holder answers every fetch at once with the right chunk.
      requestChunk: (peer, id, offset) => {
        const b = blobs.get(id)!;
        const data = b.subarray(offset, offset + CHUNK_SIZE);
        clock.setTimeout(() => n.fetcher.onChunk(peer, id, offset, b.length, false, data), 1);
      },
      sendChunk: () => {},
      announce: () => {},
    },
    {
      ...GOSSIP_DEFAULTS,
      maxActive: GOSSIP_DEFAULTS.maxActiveFetches,
      maxQueued: GOSSIP_DEFAULTS.maxQueuedFetches,
      window: GOSSIP_DEFAULTS.fetchWindow,
      maxStoreBytes,
    },
  );
  n.onNotification((id, bytes, from) => handed.push(`${id.slice(0, 8)}:${bytes.length}:${from}`));
  /** `holder` announces a blob; resolves once it was fetched and handed up. */
  const arrive = (uri: string, version: number, size: number, holder = 'n1') => {
    const blob = makeBlob(uri, version, size);
    blobs.set(blob.id, blob.bytes);
    n.heard({ id: blob.id, uri, version, size }, holder);
    for (let k = 0; k < 50 && n.seen.get(blob.id) !== 'offered'; k++) clock.advance(1);
    assert.equal(n.seen.get(blob.id), 'offered');
    return blob;
  };
  return { clock, n, handed, arrive };
}

test('an unanswered offer is handed up again on reoffer; relayed, refused or timed-out ones are not', () => {
  const { clock, n, handed, arrive } = setup();
  const a = arrive('app://a', 1, 3000);
  const b = arrive('app://b', 1, 2000, 'n2');
  const c = arrive('app://c', 1, 1000);
  assert.equal(handed.length, 3, 'handed up once each (nobody listened)');
  assert.equal(n.reoffer(), 3);
  assert.deepEqual(handed.slice(3), [
    `${a.id.slice(0, 8)}:3000:n1`,
    `${b.id.slice(0, 8)}:2000:n2`,
    `${c.id.slice(0, 8)}:1000:n1`,
  ]);
  assert.ok(n.relay(a.id, a.bytes, { uri: 'app://a', version: 1 }));
  n.refuse(b.id, 'BAD_SIGNATURE');
  assert.equal(n.reoffer(), 1, 'only c is still unanswered');
  assert.equal(handed.at(-1), `${c.id.slice(0, 8)}:1000:n1`);
  clock.advance(GOSSIP_DEFAULTS.offerTimeoutMs);
  assert.equal(n.seen.get(c.id), undefined, 'forgotten after offerTimeoutMs, for anti-entropy');
  assert.equal(n.reoffer(), 0);
  assert.equal(n.counters.reoffered, 4);
  n.stop();
});

test('attack: a flood of offers keeps at most maxStoreBytes for reoffer, the newest first', () => {
  const { n, handed, arrive } = setup(5000);
  const blobs = [];
  for (let v = 1; v <= 6; v++) blobs.push(arrive(`app://flood${v}`, v, 2000));
  const before = handed.length;
  assert.equal(n.reoffer(), 2, 'two 2000-byte offers fit in 5000 bytes');
  assert.deepEqual(
    handed.slice(before),
    blobs.slice(4).map((b) => `${b.id.slice(0, 8)}:2000:n1`),
  );
  // The ones without bytes are still offered: the timeout forgets them for anti-entropy.
  for (const b of blobs) assert.equal(n.seen.get(b.id), 'offered');
  n.stop();
});
