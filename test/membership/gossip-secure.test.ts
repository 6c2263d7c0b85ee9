/**
 * Gossip over certificate sessions on the simulated network (issue 8: "no node joins,
 * hears or speaks in the overlay without a valid certificate"). Ten enrolled nodes run
 * the production NatmNode + SecureOverlay + GossipNode (SWIM, broadcasts, fetch,
 * anti-entropy) wired as agent/natm/membership/secure-natm.ts does; two outsiders hold natm's
 * cluster key (so they register and punch like anyone): one with a certificate of another
 * CA, one with none (plain gossip over natm). A revocation notice published at one node
 * cuts the revoked node off everywhere within a bounded simulated time; a node that joins
 * later learns it by anti-entropy.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { attachGossip, type AttachedGossip } from '../../agent/lib/gossip/attach.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { NatmNode } from '../../agent/natm/natm-node.ts';
import { ClusterMembership } from '../../agent/lib/membership/cluster-membership.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { RevocationBook } from '../../agent/lib/membership/revocation-book.ts';
import { signRevocationNotice } from '../../agent/lib/membership/revocation.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureOverlay } from '../../agent/lib/membership/secure-overlay.ts';
import { KEY, seeded, SimWorld } from '../natm/sim-world.ts';
import { makeCa, makeNode, NOW, random, type TestCa, type TestNode } from './fixtures.ts';

interface Sim {
  id: string;
  natm: NatmNode;
  overlay?: SecureOverlay;
  revocation?: RevocationState;
  gossip: AttachedGossip;
  /** Notification ids this node was handed by gossip. */
  got: Set<string>;
}

describe('gossip over certificate sessions (10 simulated natm nodes)', () => {
  let w: SimWorld;
  let ca: TestCa;
  let T0 = 0;
  const all: Sim[] = [];
  let cluster: Sim[] = [];
  let stranger: Sim;
  let nocert: Sim;
  let seed = 1;
  /** The uri each notification is published under (what the manager would read from it). */
  const uris = new Map<string, string>();

  /** A natm node; with `cert`, gossip runs over a SecureOverlay trusting `trust`. */
  function add(id: string, nat: boolean, cert?: { node: TestNode; trust: TestCa }): Sim {
    const host = nat
      ? w.net.addHost('10.1.0.2', w.net.addNat(w.publicAddress(), 'port-restricted'))
      : w.net.addHost(w.publicAddress());
    const cfg = natmConfig({
      id,
      clusterKeys: [KEY],
      rendezvous: w.rdvEps.map((e) => `${e.address}:${e.port}`),
    });
    const natm = new NatmNode(
      { socket: host.bind(4000), sealer: w.sealer(), clock: w.clock, logger: silentLogger() },
      cfg,
    );
    w.nodes.set(id, natm);
    w.hosts.set(id, host);
    const sim: Partial<Sim> = { id, natm, got: new Set() };
    let revocations: RevocationBook | undefined;
    if (cert) {
      const revocation = new RevocationState();
      const init = { ca: cert.trust, cluster: cert.trust.cluster };
      const overlay = new SecureOverlay(
        { link: natm, clock: { now: () => NOW + w.clock.now() - T0 }, random, revocation },
        { identity: cert.node.identity, ...init, signKey: cert.node.sign.privateKey },
      );
      revocations = new RevocationBook({
        membership: new ClusterMembership({ revocation }, init),
        revocation,
      });
      w.clock.setInterval(() => overlay.connect(), 5000); // as secure-natm.ts (connectMs)
      Object.assign(sim, { overlay, revocation });
    }
    const gossip = attachGossip(sim.overlay ?? natm, undefined, {
      logger: silentLogger(),
      clock: w.clock,
      random: seeded(seed++),
      revocations,
      records: sim.overlay?.records,
    });
    gossip.node.onNotification((nid, bytes) => {
      sim.got!.add(nid);
      gossip.node.relay(nid, bytes, { uri: uris.get(nid)!, version: 1 }); // as the manager would
    });
    natm.start();
    Object.assign(sim, { gossip });
    all.push(sim as Sim);
    return sim as Sim;
  }

  const members = (s: Sim, status = 'alive') =>
    s.gossip
      .members()
      .members.filter((m) => !m.self && m.status === status)
      .map((m) => m.id)
      .sort();

  /** Relays a fresh 3-chunk notification at `from`; the ids of the nodes it reached in `ms`. */
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
    w = await SimWorld.create({ delayMs: 10, seed: 8 });
    T0 = w.clock.now();
    w.addRendezvous();
    const nodes = await Promise.all(Array.from({ length: 10 }, () => makeNode(ca)));
    cluster = nodes.map((node, i) => add(node.nodeId, i >= 8, { node, trust: ca }));
    const other = await makeCa('plant'); // same cluster name, another CA: a different cluster
    const s = await makeNode(other);
    stranger = add(s.nodeId, false, { node: s, trust: other });
    nocert = add('nocert', false);
    w.run(60_000);
  });

  after(async () => {
    for (const s of all) s.gossip.stop();
    await w.stop();
  });

  it('every enrolled node lists exactly the nine others as alive members; outsiders never', () => {
    const ids = cluster.map((s) => s.id);
    for (const s of cluster) {
      assert.deepEqual(members(s), ids.filter((x) => x !== s.id).sort(), s.id);
      const listed = s.gossip.members().members.map((m) => m.id);
      assert.ok(!listed.includes(stranger.id) && !listed.includes(nocert.id), `${s.id} lists an outsider`);
    }
    // natm itself (cluster key) does know the outsiders: it is the certificate that keeps them out.
    assert.ok(cluster[0]!.natm.peers().some((p) => p.id === nocert.id));
    assert.equal(cluster[0]!.overlay!.isProven(stranger.id), false);
  });

  it("outsiders' messages are dropped and counted, and they hear no notification", () => {
    const reached = publish(cluster[0]!, 20_000);
    for (const s of cluster) assert.ok(reached.has(s.id), `${s.id} got the notification`);
    assert.ok(!reached.has(stranger.id) && !reached.has(nocert.id));
    const sum = (name: string) => cluster.reduce((n, s) => n + (s.overlay!.counters.get(name) ?? 0), 0);
    assert.ok(sum('drop_wrong_ca') > 0, 'the stranger was refused in handshakes');
    // The certless node's plain gossip packets are taken for handshake openings and answered
    // with a stateless cookie at most: it spoke, and heard nothing it could decode.
    assert.ok(nocert.gossip.node.out.total() > 0, 'the certless node did try');
    assert.ok(nocert.gossip.node.counters.badPackets > 0);
    assert.equal(stranger.overlay!.counters.get('delivered') ?? 0, 0);
    assert.equal(nocert.gossip.node.notifications.counters.relayed, 0);
  });

  it('a revocation published at one node cuts the node off everywhere within seconds; the others go on', async (t) => {
    const victim = cluster[4]!;
    const notice = await signRevocationNotice(
      { cluster: 'plant', nodeId: victim.id, issuedAt: Math.floor((NOW + w.clock.now() - T0) / 1000) },
      ca,
    );
    const others = cluster.filter((s) => s !== victim);
    const start = w.clock.now();
    assert.deepEqual(others[0]!.gossip.node.publishRevocation(notice), [victim.id]);
    const cutOff = () =>
      others.every(
        (s) =>
          s.revocation!.isRevoked(victim.id) &&
          !s.overlay!.isProven(victim.id) &&
          !members(s).includes(victim.id),
      );
    while (!cutOff() && w.clock.now() - start < 10_000) w.run(100);
    const took = w.clock.now() - start;
    assert.ok(cutOff(), `not cut off everywhere after ${took} ms`);
    t.diagnostic(`cut off by all 9 others after ${took} ms of simulated time`);
    assert.ok(took <= 5000, `took ${took} ms of simulated time`);
    for (const s of others) assert.ok(members(s, 'dead').includes(victim.id), `${s.id} sees it dead`);
    // natm itself forgot it: no path, no peer entry, nothing sent to it from now on.
    for (const s of others)
      assert.ok(!s.natm.peers().some((p) => p.id === victim.id), `${s.id}'s natm still lists it`);
    const cutAt = w.clock.now();
    const reached = publish(others[1]!, 20_000);
    for (const s of others) assert.ok(reached.has(s.id), `${s.id} still gets notifications`);
    assert.ok(!reached.has(victim.id), 'the revoked node gets nothing new');
    // It keeps probing and handshaking; natm drops every packet (counted) and answers none.
    const banned = others.reduce((n, s) => n + s.natm.counters.get('drop_banned'), 0);
    assert.ok(banned > 0, 'its packets were dropped by natm and counted');
    // (lastSeen: the last authenticated packet from that peer, direct, punched or relayed;
    // 100 ms for packets already on the wire at the cut-off)
    for (const s of others)
      assert.ok((victim.natm.peer(s.id)?.lastSeen ?? 0) <= cutAt + 100, `${s.id} still answered it`);
    t.diagnostic(`${banned} packets of the revoked node dropped by natm in 20 s`);
    for (const s of others) assert.equal(s.overlay!.send(victim.id, new Uint8Array([1, 2, 3])), false);
  });

  it('a node that joins later learns the revocation by anti-entropy and drops the revoked node', async () => {
    const victim = cluster[4]!;
    w.run(30_000); // every broadcast queue has long run dry
    const node = await makeNode(ca);
    const late = add(node.nodeId, false, { node, trust: ca });
    const start = w.clock.now();
    while (!late.revocation!.isRevoked(victim.id) && w.clock.now() - start < 120_000) w.run(500);
    assert.ok(late.revocation!.isRevoked(victim.id), 'the late node learned the revocation');
    w.run(10_000);
    assert.equal(late.overlay!.isProven(victim.id), false);
    assert.ok(!members(late).includes(victim.id));
    const others = cluster.filter((s) => s !== victim).map((s) => s.id);
    assert.deepEqual(members(late), others.sort());
    for (const s of cluster.filter((x) => x !== victim)) assert.ok(members(s).includes(late.id), s.id);
  });
});
