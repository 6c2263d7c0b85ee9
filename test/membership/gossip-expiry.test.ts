/**
 * Certificate expiry with the production stack on the simulated network: six natm nodes
 * (NatmNode + SecureOverlay + GossipNode, wired as agent/natm/membership/secure-natm.ts does), one
 * of them with a certificate that expires two minutes in. When the clock passes its
 * expiry, every other node stops counting it as a proven peer, gossip marks it dead (its
 * probes fail: new handshakes are refused EXPIRED), it gets no new notification, and the
 * other five go on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { attachGossip, type AttachedGossip } from '../../agent/lib/gossip/attach.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { NatmNode } from '../../agent/natm/natm-node.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureOverlay } from '../../agent/lib/membership/secure-overlay.ts';
import { KEY, seeded, SimWorld } from '../natm/sim-world.ts';
import { makeCa, makeNode, NOW, NOW_S, random, type TestCa, type TestNode } from './fixtures.ts';

interface Sim {
  id: string;
  overlay: SecureOverlay;
  gossip: AttachedGossip;
  got: Set<string>;
}

const EXPIRES_S = NOW_S + 120;

describe('certificate expiry in gossip (6 simulated natm nodes)', () => {
  let w: SimWorld;
  let ca: TestCa;
  let T0 = 0;
  const all: Sim[] = [];
  let seed = 1;
  const uris = new Map<string, string>();
  const nowMs = () => NOW + w.clock.now() - T0;

  function add(node: TestNode): Sim {
    const host = w.net.addHost(w.publicAddress());
    const cfg = natmConfig({
      id: node.nodeId,
      clusterKeys: [KEY],
      rendezvous: w.rdvEps.map((e) => `${e.address}:${e.port}`),
    });
    const natm = new NatmNode(
      { socket: host.bind(4000), sealer: w.sealer(), clock: w.clock, logger: silentLogger() },
      cfg,
    );
    w.nodes.set(node.nodeId, natm);
    w.hosts.set(node.nodeId, host);
    const overlay = new SecureOverlay(
      { link: natm, clock: { now: nowMs }, random, revocation: new RevocationState() },
      { identity: node.identity, ca, cluster: ca.cluster, signKey: node.sign.privateKey },
    );
    w.clock.setInterval(() => overlay.connect(), 5000); // as secure-natm.ts (connectMs)
    const gossip = attachGossip(overlay, undefined, {
      logger: silentLogger(),
      clock: w.clock,
      random: seeded(seed++),
      records: overlay.records,
    });
    const sim: Sim = { id: node.nodeId, overlay, gossip, got: new Set() };
    gossip.node.onNotification((nid, bytes) => {
      sim.got.add(nid);
      gossip.node.relay(nid, bytes, { uri: uris.get(nid)!, version: 1 });
    });
    natm.start();
    all.push(sim);
    return sim;
  }

  const members = (s: Sim, status = 'alive') =>
    s.gossip
      .members()
      .members.filter((m) => !m.self && m.status === status)
      .map((m) => m.id)
      .sort();

  function publish(from: Sim, ms: number): Set<string> {
    const bytes = new Uint8Array(randomBytes(2500));
    const nid = createHash('sha256').update(bytes).digest('hex');
    uris.set(nid, `p2pu://app-${nid.slice(0, 8)}`);
    assert.ok(from.gossip.node.relay(nid, bytes, { uri: uris.get(nid)!, version: 1 }));
    from.got.add(nid);
    w.run(ms);
    return new Set(all.filter((s) => s.got.has(nid)).map((s) => s.id));
  }

  before(async () => {
    await membershipReady();
    ca = await makeCa('plant');
    w = await SimWorld.create({ delayMs: 10, seed: 11 });
    T0 = w.clock.now();
    w.addRendezvous();
    const nodes = await Promise.all(Array.from({ length: 5 }, () => makeNode(ca)));
    nodes.push(await makeNode(ca, { expires: EXPIRES_S }));
    for (const n of nodes) add(n);
    w.run(60_000);
  });

  after(async () => {
    for (const s of all) s.gossip.stop();
    await w.stop();
  });

  it('before expiry the short-lived node is a member like the others', () => {
    assert.ok(nowMs() < EXPIRES_S * 1000);
    const ids = all.map((s) => s.id);
    for (const s of all) assert.deepEqual(members(s), ids.filter((x) => x !== s.id).sort(), s.id);
  });

  it('once its certificate expires, every other node cuts it off and drops it from gossip; the others go on', (t) => {
    const victim = all[5]!;
    const others = all.slice(0, 5);
    w.run(EXPIRES_S * 1000 - nowMs()); // up to the second it expires
    const start = w.clock.now();
    const notProven = () => others.every((s) => !s.overlay.isProven(victim.id));
    assert.ok(notProven(), 'at notAfter no node counts it as proven any more');
    const dead = () => others.every((s) => members(s, 'dead').includes(victim.id));
    while (!dead() && w.clock.now() - start < 60_000) w.run(500);
    const took = w.clock.now() - start;
    assert.ok(dead(), `not marked dead everywhere after ${took} ms`);
    t.diagnostic(`marked dead by all 5 others ${took} ms (simulated) after its certificate expired`);
    for (const s of others)
      assert.deepEqual(
        members(s),
        others
          .filter((x) => x !== s)
          .map((x) => x.id)
          .sort(),
        s.id,
      );
    const heardByVictim = victim.overlay.counters.get('delivered') ?? 0;
    const reached = publish(others[2]!, 20_000);
    for (const s of others) assert.ok(reached.has(s.id), `${s.id} still gets notifications`);
    assert.ok(!reached.has(victim.id), 'the expired node gets nothing new');
    const count = (name: string) => others.reduce((n, s) => n + (s.overlay.counters.get(name) ?? 0), 0);
    assert.ok(count('drop_expired') > 0, 'its handshakes were refused as EXPIRED and counted');
    assert.equal(count('drop_revoked'), 0, 'and not as revoked');
    assert.equal(victim.overlay.counters.get('delivered') ?? 0, heardByVictim, 'it hears nothing at all');
  });
});
