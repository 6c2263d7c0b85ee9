/**
 * Attacks on SWIM incarnations by a hostile member (issue 16 item 5): forged suspect/dead
 * claims must not wrap, exhaust or freeze a member's incarnation (docs/security.md
 * §Gossip membership; rules in docs/protocol/gossip.md §Incarnation bounds).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';
import { HostileMember } from '../../agent/lib/gossip/sim/hostile.ts';
import type { MemberItem, MemberStatus } from '../../agent/lib/gossip/messages.ts';
import { allAlive } from './sim-helpers.ts';

const FREE = 2 ** 32; // below this, incarnations behave as in plain SWIM
const STEP = 64; // GOSSIP_DEFAULTS.maxIncarnationStep
const TOP = Number.MAX_SAFE_INTEGER;

const claim = (status: MemberStatus, id: string, incarnation: number): MemberItem => ({
  kind: 'member',
  status,
  id,
  incarnation,
});

function setup(seed: number): { c: SimCluster; h: HostileMember } {
  const c = new SimCluster({ n: 8, seed });
  c.clock.advance(5000);
  assert.ok(allAlive(c, c.ids), 'the fleet converged before the attack');
  return { c, h: new HostileMember(c, 'n7') };
}

/** The highest incarnation any honest member holds for `id`. */
const believed = (c: SimCluster, among: string[], id: string) =>
  Math.max(...among.filter((x) => x !== id).map((x) => c.node(x).membership.table.get(id)?.incarnation ?? 0));

const seenAlive = (c: SimCluster, among: string[], id: string) =>
  among.filter((x) => x !== id).every((x) => c.node(x).membership.table.get(id)?.status === 'alive');

test('one forged suspect(n1, 2^32-1) does not make n1 dead: its refutation 2^32 does not wrap', () => {
  const { c, h } = setup(51);
  h.sendAll([claim('suspect', 'n1', 0xffffffff)]);
  c.clock.advance(60_000);
  assert.equal(c.node('n1').membership.table.incarnation, 2 ** 32, 'n1 refuted with 2^32');
  assert.ok(seenAlive(c, h.others, 'n1'), 'every honest member sees n1 alive');
  assert.equal(believed(c, h.others, 'n1'), 2 ** 32);
  c.stop();
});

test('a hostile member cannot ratchet an incarnation to the top of the range', () => {
  const { c, h } = setup(52);
  let sent = 0;
  for (let round = 0; round < 40; round++) {
    const b = believed(c, h.others, 'n1');
    const own = c.node('n1').membership.table.incarnation;
    const incs = [b, b + 1, b + STEP, own + STEP - 1, own + STEP, FREE - 1, FREE + STEP, TOP - 1, TOP];
    const items = incs.flatMap((i) => [claim('suspect', 'n1', i), claim('dead', 'n1', i)]);
    sent += items.length;
    h.sendAll(items);
    c.clock.advance(2000);
  }
  c.clock.advance(60_000);
  const own = c.node('n1').membership.table.incarnation;
  assert.ok(seenAlive(c, h.others, 'n1'), 'n1 is alive for every honest member after 40 rounds');
  assert.equal(believed(c, h.others, 'n1'), own, 'and everyone converged on its own incarnation');
  // Each forged claim moves n1 at most STEP + 1 past 2^32: exhausting 2^53 takes ~1.4e14 packets.
  assert.ok(own <= FREE + sent * (STEP + 1), `incarnation ${own} after ${sent} forged claims`);
  assert.ok(own < 2 ** 33, `incarnation ${own} stays far below 2^53`);
  c.stop();
});

test('a forged dead(n1) far ahead of what n1 ever claimed is not believed', () => {
  const { c, h } = setup(53);
  h.send('n0', [claim('dead', 'n1', 2 ** 40), claim('suspect', 'n2', TOP)]);
  c.clock.advance(60); // delivered (latency ≤ 40 ms), before any refutation could come back
  const t = c.node('n0').membership.table;
  assert.equal(t.get('n1')?.status, 'alive');
  assert.equal(t.get('n2')?.status, 'alive');
  assert.ok(t.get('n1')!.incarnation < FREE && t.get('n2')!.incarnation < FREE);
  assert.equal(c.node('n0').membership.counters.unproven, 2, 'both claims counted as refused');
  c.stop();
});

test('a member cut off while n1 refuted past the hearsay bound asks n1 itself', () => {
  const { c, h } = setup(54);
  c.net.partition([['n0']]);
  for (let round = 0; round < 3; round++) {
    const own = c.node('n1').membership.table.incarnation;
    const inc = Math.max(own + STEP - 1, FREE - 1);
    for (const to of h.others) if (to !== 'n0') h.send(to, [claim('suspect', 'n1', inc)]);
    c.clock.advance(2000);
  }
  const own = c.node('n1').membership.table.incarnation;
  assert.ok(own > FREE + STEP, `n1 is at ${own}, beyond what n0 takes on hearsay`);
  c.clock.advance(30_000); // n0 now holds everyone dead, everyone holds n0 dead
  c.net.heal();
  h.send('n0', [claim('alive', 'n1', own)]); // true, but hearsay: n0 must not take it as is
  c.clock.advance(60);
  const t = c.node('n0').membership;
  assert.equal(t.counters.unproven, 1, 'the hearsay claim was not believed');
  assert.notEqual(t.table.get('n1')?.incarnation, own);
  c.clock.advance(1000); // n0 asked n1 (push-pull); n1's reply carries its own claim
  assert.equal(t.table.get('n1')?.status, 'alive');
  assert.equal(t.table.get('n1')?.incarnation, own);
  assert.equal(t.table.get('n1')?.proven, own);
  const back = c.runUntil(() => allAlive(c, h.others), 120_000, 500);
  assert.ok(back >= 0, 'and the whole honest fleet converges');
  c.stop();
});
