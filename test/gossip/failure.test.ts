import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';
import { allAlive } from './sim-helpers.ts';
import { encodePacket } from '../../agent/lib/gossip/codec.ts';

const others = (c: SimCluster, id: string) => c.ids.filter((x) => x !== id);

test('a crashed node is declared dead by all; its restart (fresh process) is noticed via refutation', () => {
  const c = new SimCluster({ n: 50, seed: 11 });
  c.clock.advance(3000);
  assert.ok(allAlive(c, c.ids));
  c.crash('n7');
  const tDead = c.runUntil(
    () => others(c, 'n7').every((x) => c.node(x).membership.table.get('n7')?.status === 'dead'),
    60_000,
    200,
  );
  console.log(`failure: crashed node declared dead by all 49 others after ${tDead} ms`);
  assert.ok(tDead > 0 && tDead <= 30_000, `dead within 30 s: ${tDead}`);
  c.clock.advance(10_000);
  const fresh = c.restart('n7'); // incarnation 0 again: lower than or equal to the "dead" claim
  const tBack = c.runUntil(
    () => others(c, 'n7').every((x) => c.node(x).membership.table.get('n7')?.status === 'alive'),
    60_000,
    200,
  );
  console.log(
    `failure: restarted node seen alive by all after ${tBack} ms (incarnation ${fresh.membership.table.incarnation})`,
  );
  assert.ok(tBack > 0 && tBack <= 30_000, `rejoined within 30 s: ${tBack}`);
  assert.ok(fresh.membership.table.incarnation >= 1, 'it refuted its death with a higher incarnation');
  assert.ok(allAlive(c, c.ids));
  c.stop();
});

test('a false suspicion is refuted before it turns into death', () => {
  const c = new SimCluster({ n: 50, seed: 12 });
  c.clock.advance(3000);
  const link = c.net.links.get('n1')!;
  // n1 tells n2 that n3 is suspect (as after a lost probe).
  link.send(
    'n2',
    encodePacket({
      body: { type: 'gossip' },
      items: [{ kind: 'member', status: 'suspect', id: 'n3', incarnation: 0 }],
    }),
  );
  c.clock.advance(100);
  assert.equal(c.node('n2').membership.table.get('n3')?.status, 'suspect');
  c.clock.advance(30_000);
  assert.equal(c.node('n3').membership.table.incarnation, 1, 'n3 refuted');
  assert.ok(allAlive(c, c.ids), 'nobody declared n3 dead');
  c.stop();
});

test('nodes that only know 3 seeds learn the whole membership by gossip', () => {
  const c = new SimCluster({ n: 100, seed: 13, net: { peers: 3 } });
  const t = c.runUntil(() => allAlive(c, c.ids), 60_000, 500);
  console.log(`join: 100 nodes with 3 seeds each converge to full membership in ${t} ms`);
  assert.ok(t > 0 && t <= 30_000, `converged: ${t}`);
  c.stop();
});

test('stop() leaves no timer behind', () => {
  const c = new SimCluster({ n: 5, seed: 14 });
  c.clock.advance(3000);
  c.publish('n0', 'app://fw', 1, 50_000); // fetches and offers under way
  c.crash('n3'); // suspicion timers under way
  c.clock.advance(2500);
  c.stop();
  c.clock.advance(2000); // in-flight deliveries (≤ 40 ms) and probe timers (≤ 1 probe interval) drain
  assert.equal(c.clock.pending(), 0);
  c.stop(); // idempotent
});
