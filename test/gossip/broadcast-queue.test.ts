import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BroadcastQueue, retransmitLimit } from '../../agent/lib/gossip/broadcast-queue.ts';

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

test('retransmit limit is ceil(mult · log10(N+1))', () => {
  assert.equal(retransmitLimit(4, 0), 1);
  assert.equal(retransmitLimit(4, 9), 4);
  assert.equal(retransmitLimit(4, 999), 12);
  assert.equal(retransmitLimit(4, 1000), 13);
  assert.equal(retransmitLimit(4, 10_000), 17);
});

test('each item is sent at most limit times, least-sent first', () => {
  const q = new BroadcastQueue({ maxItems: 10, retransmitMult: 4 }, () => 9); // limit 4
  q.push('a', bytes(10, 1));
  let sent = 0;
  for (let i = 0; i < 10; i++) sent += q.take(1000).length;
  assert.equal(sent, 4);
  assert.equal(q.size, 0);
  q.push('x', bytes(10, 2));
  q.take(1000);
  q.push('y', bytes(10, 3));
  assert.equal(q.take(19)[0]![0], 3, 'the never-sent item goes first (room for one)');
});

test('a newer item with the same key replaces the old one and restarts its count', () => {
  const q = new BroadcastQueue({ maxItems: 10, retransmitMult: 4 }, () => 9);
  q.push('m:a', bytes(5, 1));
  q.take(100);
  q.push('m:a', bytes(5, 2));
  assert.equal(q.size, 1);
  const out = q.take(100);
  assert.equal(out.length, 1);
  assert.equal(out[0]![0], 2);
});

test('budget is respected and a flood keeps the queue bounded', () => {
  const q = new BroadcastQueue({ maxItems: 64, retransmitMult: 4 }, () => 1000);
  for (let i = 0; i < 10_000; i++) q.push(`k${i}`, bytes(40));
  assert.equal(q.size, 64);
  assert.equal(q.dropped, 10_000 - 64);
  const out = q.take(1000);
  assert.equal(out.length, 25);
});
