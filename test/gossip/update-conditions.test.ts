import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { bridgeIpc } from '../../agent/lib/gossip/ipc-bridge.ts';
import { readHealth, writeHealth } from '../../agent/lib/gossip/health.ts';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';
import { decodeManagerMessage, type NatmMessage } from '../../agent/lib/ipc/contract.ts';
import { Reader, Writer } from '../../agent/lib/wire/codec.ts';

test("update conditions travel in the condition bits after natm's own", () => {
  const w = new Writer();
  writeHealth(w, { conditions: ['clock_skew', 'not_serving', 'no_source'], clockOffsetMs: 5 });
  const h = readHealth(new Reader(w.finish()));
  assert.deepEqual(h, { conditions: ['clock_skew', 'not_serving', 'no_source'], clockOffsetMs: 5 });
});

test('a state message with conditions: known ones only, else a bad frame', () => {
  const base = { type: 'state', applied: {}, current: null };
  assert.deepEqual(decodeManagerMessage({ ...base, conditions: ['no_source'] }), {
    ...base,
    conditions: ['no_source'],
  });
  assert.deepEqual(decodeManagerMessage(base), base, 'absent: none (an older manager)');
  for (const bad of [
    ['clock_skew'],
    ['no_source', 'x'],
    'no_source',
    [1],
    ['no_source', 'no_source', 'no_source'],
  ])
    assert.equal(decodeManagerMessage({ ...base, conditions: bad }), null, JSON.stringify(bad));
});

test("the manager's conditions reach the fleet view, merged with natm's, and go again", () => {
  const c = new SimCluster({ n: 3, seed: 44 });
  c.clock.advance(2000);
  const ipc = Object.assign(new EventEmitter(), {
    sent: [] as NatmMessage[],
    send(m: NatmMessage) {
      this.sent.push(m);
      return true;
    },
  });
  const b = bridgeIpc(c.node('n2'), ipc);
  ipc.emit('state', { applied: {}, current: null, conditions: ['not_serving'] });
  c.clock.advance(3000);
  assert.deepEqual(c.node('n0').fleet.get('n2')?.health?.conditions, ['not_serving']);
  ipc.emit('state', { applied: {}, current: null });
  c.clock.advance(3000);
  assert.deepEqual(c.node('n0').fleet.get('n2')?.health?.conditions ?? [], []);
  b.stop();
  c.stop();
});
