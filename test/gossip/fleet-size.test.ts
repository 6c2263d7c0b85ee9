import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { FleetSize, MAX_RANK } from '../../agent/lib/gossip/fleet-size.ts';
import { retransmitLimit } from '../../agent/lib/gossip/broadcast-queue.ts';
import { decodePacket, encodePacket } from '../../agent/lib/gossip/codec.ts';
import { SKETCH_REGS } from '../../agent/lib/gossip/messages.ts';

const EPOCH = 600_000;
const init = { fleetEpochMs: EPOCH, maxFleetEstimate: 100_000 };

function node(clock: FakeClock, id: string, live = 0) {
  return new FleetSize({ clock, selfId: id, live: () => live }, init);
}

test('merged sketches of 10,000 nodes estimate the fleet (HLL, 32 registers): the limit is that of 10,000, not of a 256 view', () => {
  const clock = new FakeClock(0);
  const me = node(clock, 'n0', 255);
  assert.equal(me.estimate(), 256, 'alone: the live view + 1');
  for (let i = 1; i < 10_000; i++) assert.ok(me.merge(node(clock, `n${i}`).sketch()));
  const est = me.estimate();
  assert.ok(est > 6_000 && est < 16_000, `estimate ${est}`);
  assert.equal(retransmitLimit(4, 256), 10);
  assert.ok(retransmitLimit(4, est) >= 16, `limit ${retransmitLimit(4, est)}`);
  const small = node(clock, 'a', 2);
  for (const id of ['b', 'c', 'd', 'e', 'f']) small.merge(node(clock, id).sketch());
  assert.ok(small.estimate() >= 5 && small.estimate() <= 8, `small fleet: ${small.estimate()}`);
});

test('a hostile sketch (every register at the top) lifts the estimate only to maxFleetEstimate; out-of-range registers are refused', () => {
  const clock = new FakeClock(0);
  const me = node(clock, 'n0', 9);
  const epoch = me.sketch().epoch;
  assert.equal(me.merge({ epoch, regs: new Uint8Array(SKETCH_REGS).fill(MAX_RANK + 1) }), false);
  assert.equal(me.merge({ epoch, regs: new Uint8Array(SKETCH_REGS + 1) }), false);
  assert.equal(me.bad, 2);
  assert.equal(me.estimate(), 10, 'refused sketches change nothing');
  assert.ok(me.merge({ epoch, regs: new Uint8Array(SKETCH_REGS).fill(MAX_RANK) }));
  assert.equal(me.estimate(), 100_000, 'capped');
  assert.equal(retransmitLimit(4, me.estimate()), 21, 'at most 21 transmissions per item (17 for 10,000)');
});

test('sketches belong to epochs: an inflated one is forgotten after two epochs, an old epoch is not merged', () => {
  const clock = new FakeClock(0);
  const me = node(clock, 'n0', 4);
  const epoch = me.sketch().epoch;
  me.merge({ epoch, regs: new Uint8Array(SKETCH_REGS).fill(MAX_RANK) });
  clock.advance(EPOCH);
  assert.equal(me.estimate(), 100_000, 'the previous epoch still counts (no drop at the boundary)');
  assert.equal(me.merge({ epoch: epoch - 1, regs: new Uint8Array(SKETCH_REGS).fill(MAX_RANK) }), false);
  clock.advance(EPOCH);
  assert.equal(me.estimate(), 5, 'two epochs later only the live view counts');
  assert.equal(me.sketch().epoch, epoch + 2);
});

test('a ping or ack with a bad sketch flag, or a truncated sketch, decodes to null', () => {
  const ok = encodePacket({
    body: { type: 'ack', seq: 1, time: 5, sketch: { epoch: 3, regs: new Uint8Array(32) } },
    items: [],
  });
  assert.ok(decodePacket(ok));
  const flagAt = ok.length - 1 - 36 - 1; // before the epoch, the registers and the item count
  const bad = Uint8Array.from(ok);
  bad[flagAt] = 2;
  assert.equal(decodePacket(bad), null);
  assert.equal(decodePacket(ok.subarray(0, ok.length - 10)), null);
});

test('in a simulated fleet of 300 whose nodes each know 16 members, every node estimates the fleet within 30 s', async () => {
  const { SimCluster } = await import('../../agent/lib/gossip/sim/cluster.ts');
  const c = new SimCluster({
    n: 300,
    seed: 3,
    net: { peers: 16, seedsFrom: 'any' },
    gossip: { maxMembers: 16 },
  });
  c.clock.advance(30_000);
  const est = [...c.nodes.values()].map((n) => n.fleetSize.estimate());
  const limits = [...c.nodes.values()].map((n) => n.queue.limit());
  c.stop();
  assert.ok(
    Math.min(...est) >= 150 && Math.max(...est) <= 600,
    `estimates ${Math.min(...est)}..${Math.max(...est)}`,
  );
  assert.equal(retransmitLimit(4, 17), 6, 'what the view alone would give');
  assert.ok(Math.min(...limits) >= 9, `limits from ${Math.min(...limits)}`);
});
