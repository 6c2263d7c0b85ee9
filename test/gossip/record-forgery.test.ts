/**
 * Forged fleet-view records in cluster-key mode (issue 16 item 4): without certificates a
 * member can still write a record about another node (only the cluster key holds, see
 * docs/security.md), but it can no longer pin that node's view forever with a huge seq,
 * nor point BitTorrent peers at a privileged port (docs/protocol/gossip.md §Fleet view).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { btPeers } from '../../agent/lib/gossip/bt-peers.ts';
import { GOSSIP_DEFAULTS } from '../../agent/lib/gossip/config.ts';
import type { StateItem, StateRecord } from '../../agent/lib/gossip/messages.ts';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';
import { HostileMember } from '../../agent/lib/gossip/sim/hostile.ts';
import { allAlive } from './sim-helpers.ts';

const TOP = Number.MAX_SAFE_INTEGER;
/** GOSSIP_DEFAULTS.maxRecordAheadMs and .stateRefreshMs (checked at the end of the test that uses them). */
const AHEAD_MS = 600_000;
const REFRESH_MS = 600_000;
const IH = 'ab'.repeat(20);

function setup(seed: number): { c: SimCluster; h: HostileMember } {
  const c = new SimCluster({ n: 8, seed });
  c.clock.advance(5000);
  for (const id of c.ids) {
    c.node(id).local.setBtPort(51413);
    c.node(id).local.setHave(IH, true);
    c.node(id).setState({ applied: { 'app://fw': 1 }, current: null });
  }
  c.clock.advance(10_000);
  assert.ok(allAlive(c, c.ids), 'the fleet converged before the attack');
  return { c, h: new HostileMember(c, 'n7') };
}

const forged = (node: string, seq: number, over: Partial<StateRecord> = {}): StateItem => ({
  kind: 'state',
  record: {
    node,
    seq,
    agentVersion: 'evil',
    applied: { 'app://fw': 999 },
    current: null,
    btPort: 25,
    have: [IH],
    ...over,
  },
  sig: null,
});

/** What every honest node (but n1 itself) shows as n1's applied version of app://fw. */
const shown = (c: SimCluster, h: HostileMember) =>
  new Set(h.others.filter((x) => x !== 'n1').map((x) => c.node(x).fleet.get('n1')?.applied['app://fw']));

test('one forged record with seq 2^53-1 is refused: it cannot pin a node as "applied v999"', () => {
  const { c, h } = setup(71);
  h.sendAll([forged('n1', TOP)]);
  c.clock.advance(2000);
  assert.deepEqual(shown(c, h), new Set([1]), 'nobody took the forged record');
  c.node('n1').setState({ applied: { 'app://fw': 2 }, current: null });
  c.clock.advance(10_000);
  assert.deepEqual(shown(c, h), new Set([2]), "n1's own next record shows everywhere");
  const ahead = h.others.reduce((n, x) => n + c.node(x).fleet.counters.ahead, 0);
  assert.ok(ahead >= h.others.length - 1, `refused as too far ahead ${ahead} times`);
  c.stop();
});

test("a forged record within the clock bound is overtaken by the node's own refresh", () => {
  const { c, h } = setup(72);
  h.sendAll([forged('n1', c.clock.now() + AHEAD_MS - 60_000, { btPort: 6881 })]);
  c.clock.advance(2000);
  assert.deepEqual(shown(c, h), new Set([999]), 'within the bound and only a cluster key: taken');
  // n1's state does not change; its record is re-published every stateRefreshMs all the same.
  c.clock.advance(AHEAD_MS + REFRESH_MS);
  assert.deepEqual(shown(c, h), new Set([1]), 'n1 shows as it is again');
  assert.equal(GOSSIP_DEFAULTS.maxRecordAheadMs, AHEAD_MS);
  assert.equal(GOSSIP_DEFAULTS.stateRefreshMs, REFRESH_MS);
  c.stop();
});

test('a forged record cannot point BitTorrent peers at a port below 1024', () => {
  const { c, h } = setup(73);
  h.sendAll([forged('n1', c.clock.now() + 1000, { applied: { 'app://fw': 1 } })]);
  c.clock.advance(2000);
  for (const x of h.others.filter((y) => y !== 'n1')) {
    const ports = btPeers(c.node(x), IH).map((p) => p.port);
    assert.ok(!ports.includes(25), `${x} hands its manager port 25`);
  }
  c.stop();
});
