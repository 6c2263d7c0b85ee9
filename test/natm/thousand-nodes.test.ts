/**
 * 1,000 nodes behind assorted NATs register with two rendezvous servers and stay
 * reachable for minutes of simulated time; the table traffic stays bounded (deltas and
 * pushes, never the whole table to everyone every keepalive).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NatType } from '../../agent/lib/simnet/nat-box.ts';
import { SimWorld } from './sim-world.ts';

const N = 1000;
const TYPES: Array<NatType | 'open'> = [
  'full-cone',
  'restricted',
  'port-restricted',
  'symmetric',
  'firewall',
  'open',
];

test('1,000 nodes register and stay reachable', async () => {
  const w = await SimWorld.create({ seed: 11, delayMs: 20, jitterMs: 20 });
  const [r1, r2] = [w.addRendezvous(), w.addRendezvous()];
  for (let i = 0; i < N; i++) w.addNode(`n${i}`, TYPES[i % TYPES.length]!, { maxPeers: 64, eagerPaths: 2 });
  w.run(20_000);
  assert.equal(r1!.table.size(), N);
  assert.equal(r2!.table.size(), N);
  const nodes = [...w.nodes.values()];
  assert.equal(nodes.filter((n) => n.external).length, N, 'every node learned its external endpoint');

  // Pairs whose sender already knows the receiver from its table subset.
  const known = () => {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; pairs.length < 40 && i < N; i += 7) {
      const n = w.nodes.get(`n${i}`)!;
      const p = n.peers().find((v) => v.path !== null && v.id !== n.selfId);
      if (p) pairs.push([n.selfId, p.id]);
    }
    return pairs;
  };
  let pairs = known();
  assert.equal(pairs.length, 40);
  assert.equal(pairs.filter(([a, b]) => w.deliver(a, b, 1000)).length, 40);

  const tables0 = r1!.counters.get('tx_table');
  w.run(2 * 60_000);
  const perNodePerMinute = (r1!.counters.get('tx_table') - tables0) / N / 2;
  console.log(`rendezvous table messages per node per minute: ${perNodePerMinute.toFixed(2)}`);
  // One register answer per keepalive (4/min) plus bounded pushes: never the table per node.
  assert.ok(perNodePerMinute <= 6, 'table traffic is one bounded page per keepalive, not a dump');
  assert.equal(r1!.table.size(), N, 'nobody expired: keepalives hold NAT bindings and sessions');
  pairs = known();
  assert.equal(pairs.filter(([a, b]) => w.deliver(a, b, 1000)).length, 40);
  const views = nodes.map((n) => n.peers().length);
  console.log(`peers known per node: min ${Math.min(...views)} max ${Math.max(...views)}`);
  assert.ok(Math.max(...views) <= 64, 'each node keeps a bounded subset');
  await w.stop();
});
