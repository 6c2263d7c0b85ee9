/**
 * Clock skew over real gossip (simulated network, fake clock): five nodes, n0's clock a day
 * ahead. The SWIM acks carry each node's clock; n0 finds itself a day ahead of the median of
 * its peers and flags it; the others, each with one peer a day off, do not; the fleet view
 * on n1 shows n0's clock a day ahead. Then a liar: n4 stamps its acks a year in the past;
 * n1's estimate stays within its honest peers' (median).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../../agent/lib/common/clock.ts';
import { GossipNode } from '../../agent/lib/gossip/gossip-node.ts';
import { membersView } from '../../agent/lib/gossip/members-view.ts';
import { OverlayNetwork } from '../../agent/lib/simnet/overlay-network.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { mulberry32 } from '../../agent/lib/simnet/prng.ts';

const DAY = 86_400_000;

function skewed(base: FakeClock, by: () => number): Clock {
  return {
    now: () => base.now() + by(),
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
    setInterval: (fn, ms) => base.setInterval(fn, ms),
  };
}

test('a node a day ahead flags itself; its peers do not; members on another node shows it', () => {
  const clock = new FakeClock();
  const random = mulberry32(7);
  const net = new OverlayNetwork(clock, random, {});
  const ids = ['n0', 'n1', 'n2', 'n3', 'n4'];
  const links = ids.map((id) => net.addNode(id));
  let lie = 0;
  const offsets: Record<string, () => number> = { n0: () => DAY, n4: () => lie };
  const nodes = ids.map(
    (id, i) =>
      new GossipNode({ link: links[i]!, clock: skewed(clock, offsets[id] ?? (() => 0)), random }, {}),
  );
  for (const n of nodes) n.start();
  clock.advance(30_000);
  const [n0, n1] = nodes;
  const e0 = n0!.clocks.estimate(n0!.c.clock.now());
  assert.equal(e0.peers, 4);
  assert.equal(e0.skewed, true);
  assert.ok(Math.abs(e0.offsetMs! - DAY) <= 100, `n0 offset ${e0.offsetMs}`);
  for (const n of nodes.slice(1)) {
    const e = n.clocks.estimate(n.c.clock.now());
    assert.equal(e.skewed, false, n.selfId);
    assert.ok(Math.abs(e.offsetMs!) <= 100, `${n.selfId} offset ${e.offsetMs}`);
  }
  const row = membersView(n1!, clock.now()).find((r) => r.id === 'n0')!;
  assert.ok(Math.abs(row.clockOffsetMs! - DAY) <= 100, `n0 as seen from n1: ${row.clockOffsetMs}`);

  // n4 now lies: its acks say a year ago. n1 has 4 peers (one a day ahead, one a year behind).
  lie = -365 * DAY;
  clock.advance(30_000);
  const e1 = n1!.clocks.estimate(clock.now());
  assert.equal(e1.skewed, false);
  assert.ok(Math.abs(e1.offsetMs!) <= 100, `n1 offset ${e1.offsetMs}`);
  for (const n of nodes) n.stop();
});
