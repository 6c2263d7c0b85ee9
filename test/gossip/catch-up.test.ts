import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';
import { measureSpread } from './sim-helpers.ts';

test('20% of 500 nodes offline during a publish catch up after they return, fetching only the newest', () => {
  const c = new SimCluster({ n: 500, seed: 3 });
  c.clock.advance(3000);
  const away = c.ids.filter((_, i) => i % 5 === 4); // 100 nodes
  const awaySet = new Set(away);
  const online = c.ids.filter((id) => !awaySet.has(id));
  for (const id of away) c.net.setOffline(id, true);
  // Three versions of one URI are published while they are away.
  const ids = [1, 2, 3].map((v) => c.publish('n0', 'app://fw', v, 8_000));
  const s = measureSpread(c, ids[2]!, online, 60_000);
  assert.ok(s.t100 > 0, 'every online node got v3');
  c.clock.advance(40_000); // away long enough to be declared dead (and to declare everyone dead)
  const deadSeen = [...c.node('n0').membership.table.all()].filter((m) => m.status === 'dead').length;
  assert.equal(deadSeen, 100, 'the offline nodes are declared dead');
  for (const id of away) c.net.setOffline(id, false);
  const back = measureSpread(c, ids[2]!, away, 180_000);
  console.log(
    `catch-up: 100 returning nodes hold v3 after ${back.t100} ms (99% after ${back.t99} ms); push-pull interval 30 s`,
  );
  assert.ok(back.t100 > 0 && back.t100 <= 90_000, `caught up within 3 push-pull intervals: ${back.t100} ms`);
  for (const id of away) {
    const n = c.node(id).notifications;
    assert.equal(n.seen.get(ids[0]!), undefined, `${id} never fetched v1`);
    assert.equal(n.seen.get(ids[1]!), undefined, `${id} never fetched v2`);
  }
  // v1/v2 went to nobody after v3 was out: the store keeps only the newest per URI.
  assert.equal(c.holders(ids[0]!), 0);
  // Membership heals too: the returning nodes refuted their death.
  const t = c.runUntil(
    () => [...c.node('n0').membership.table.all()].every((m) => m.status === 'alive'),
    120_000,
    1000,
  );
  assert.ok(t >= 0, 'n0 sees every node alive again');
  c.stop();
});
