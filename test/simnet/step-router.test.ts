/** The packet-stepping router (agent/lib/simnet/step-router.ts): order, the relay hook, the step bound. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StepRouter, type RoutedPacket } from '../../agent/lib/simnet/step-router.ts';

test('packets move one at a time in send order; the relay may alter or drop them', () => {
  const got: string[] = [];
  const r = new StepRouter('t', (p) => got.push(`${p.from}>${p.to}:${Buffer.from(p.bytes).toString()}`));
  r.relay = (p) => (p.to === 'c' ? null : p.to === 'a' ? Buffer.from('2!') : p.bytes);
  r.send('a', 'b', Buffer.from('1'));
  r.send('b', 'a', Buffer.from('2'));
  r.send('a', 'c', Buffer.from('3'));
  assert.equal(r.pending, 2, 'the dropped packet never entered the queue');
  assert.equal(r.step(), true);
  assert.deepEqual(got, ['a>b:1']);
  r.run();
  assert.deepEqual(got, ['a>b:1', 'b>a:2!']);
  assert.equal(r.seen.length, 3, 'the relay saw the dropped one too');
  assert.equal(r.step(), false);
});

test('a packet storm stops at the step bound with an error', () => {
  const r: StepRouter = new StepRouter('storm', (p: RoutedPacket) => r.send(p.to, p.from, p.bytes));
  r.send('a', 'b', Uint8Array.of(1));
  assert.throws(() => r.run(100), /storm: step bound reached/);
  assert.equal(r.pending, 1);
});
