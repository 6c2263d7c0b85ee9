import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';
import { allAlive, measureSpread } from './sim-helpers.ts';

test('a partition: each side declares the other dead; after healing, the notification and membership converge', () => {
  const c = new SimCluster({ n: 200, seed: 5 });
  c.clock.advance(3000);
  const a = c.ids.slice(0, 100);
  const b = c.ids.slice(100);
  c.net.partition([a, b]);
  const id = c.publish('n0', 'app://fw', 7, 20_000);
  const sa = measureSpread(c, id, a, 30_000);
  assert.ok(sa.t100 > 0, 'side A got it');
  c.clock.advance(60_000);
  assert.equal(c.holders(id, b), 0, 'side B cannot have it');
  assert.equal(c.node('n0').membership.table.get('n150')?.status, 'dead');
  assert.equal(c.node('n150').membership.table.get('n0')?.status, 'dead');
  c.net.heal();
  const sb = measureSpread(c, id, b, 120_000);
  console.log(`partition heal: side B holds it ${sb.t100} ms after healing`);
  assert.ok(sb.t100 > 0 && sb.t100 <= 90_000, `side B caught up: ${sb.t100}`);
  const t = c.runUntil(() => allAlive(c, c.ids), 180_000, 1000);
  console.log(`partition heal: full membership (everyone alive everywhere) after ${sb.t100 + t} ms`);
  assert.ok(t >= 0, 'every node sees every node alive again');
  c.stop();
});
