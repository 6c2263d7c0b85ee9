/** The one in-memory network: tap, offline hosts, partitions, loss; and its overlay view. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { MemoryNetwork } from '../../agent/lib/simnet/memory-network.ts';
import { OverlayNetwork } from '../../agent/lib/simnet/overlay-network.ts';
import { mulberry32 } from '../../agent/lib/simnet/prng.ts';

function pair() {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock, { delayMs: 10 });
  const a = net.addHost('198.18.0.1').bind(1);
  const b = net.addHost('198.18.0.2').bind(1);
  const got: string[] = [];
  b.onMessage((d) => got.push(Buffer.from(d).toString()));
  const send = (text: string) => a.send(Buffer.from(text), b.local());
  return { clock, net, send, got };
}

test('the tap may pass, alter or drop a datagram; a drop is counted', () => {
  const { clock, net, send, got } = pair();
  net.tap = (d) =>
    Buffer.from(d).toString() === 'drop'
      ? null
      : Buffer.from(d).toString() === 'alter'
        ? Buffer.from('altered')
        : undefined;
  send('pass');
  send('alter');
  send('drop');
  clock.advance(100);
  assert.deepEqual(got, ['pass', 'altered']);
  assert.equal(net.stats.get('tap_drop'), 1);
});

test('an offline host receives nothing, also when it went offline with a datagram in flight', () => {
  const { clock, net, send, got } = pair();
  net.setOffline('198.18.0.2', true);
  send('while offline');
  net.setOffline('198.18.0.2', false);
  send('in flight');
  net.setOffline('198.18.0.2', true);
  clock.advance(100);
  assert.deepEqual(got, []);
  assert.equal(net.stats.get('offline'), 2);
  net.setOffline('198.18.0.2', false);
  send('back');
  clock.advance(100);
  assert.deepEqual(got, ['back']);
});

test('partitioned hosts cannot reach each other until the partition heals; loss is counted', () => {
  const { clock, net, send, got } = pair();
  net.partition([['198.18.0.1']]);
  send('cut');
  clock.advance(100);
  net.heal();
  net.setLoss(1);
  send('lost');
  clock.advance(100);
  net.setLoss(0);
  send('healed');
  clock.advance(100);
  assert.deepEqual(got, ['healed']);
  assert.equal(net.stats.get('partitioned'), 1);
  assert.equal(net.stats.get('loss'), 1);
});

test('the overlay view: node ids in, node ids out; offline and loss counted as dropped', () => {
  const clock = new FakeClock();
  const ov = new OverlayNetwork(clock, mulberry32(1), { jitterMs: 0 });
  const a = ov.addNode('a');
  const b = ov.addNode('b');
  const got: string[] = [];
  b.onMessage((from, p) => got.push(`${from}:${Buffer.from(p).toString()}`));
  assert.equal(a.send('nobody', Buffer.from('x')), false, 'an unknown peer has no link');
  a.send('b', Buffer.from('hi'));
  ov.setOffline('b', true);
  a.send('b', Buffer.from('lost'));
  clock.advance(100);
  ov.setOffline('b', false);
  assert.deepEqual(got, []);
  assert.equal(ov.dropped, 2, 'one sent to an offline node, one went offline in flight');
  a.send('b', Buffer.from('again'));
  clock.advance(100);
  assert.deepEqual(got, ['a:again']);
  assert.equal(ov.delivered, 1);
});

test('FakeClock.settle runs timers one at a time and stops a storm at its bound', () => {
  const clock = new FakeClock();
  const order: number[] = [];
  clock.setTimeout(() => order.push(2), 5);
  clock.setTimeout(() => order.push(1), 0);
  assert.equal(clock.runNext(), true);
  assert.deepEqual(order, [1]);
  clock.settle();
  assert.deepEqual(order, [1, 2]);
  assert.equal(clock.runNext(), false);
  const storm = () => void clock.setTimeout(storm, 0);
  storm();
  assert.throws(() => clock.settle(50, 'storm'), /storm: step bound reached/);
});
