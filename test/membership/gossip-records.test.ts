/**
 * Fleet-view records over certificate sessions (issue 16 item 4): a record counts only when
 * it is signed by the node it describes (its certificate's Ed25519 key). A compromised
 * member with a valid certificate of its own cannot forge, alter or replay another node's
 * record, cannot pin it with a huge seq, and cannot point the others' BitTorrent peers at
 * another port; unsigned records count nowhere (docs/protocol/gossip.md §Fleet view).
 * Six enrolled nodes run the production NatmNode + SecureOverlay + GossipNode on the
 * simulated network, wired as agent/natm/membership/secure-natm.ts does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { attachGossip, type AttachedGossip } from '../../agent/lib/gossip/attach.ts';
import { btPeers } from '../../agent/lib/gossip/bt-peers.ts';
import { encodePacket } from '../../agent/lib/gossip/codec.ts';
import { writeState } from '../../agent/lib/gossip/codec-state.ts';
import type { MemberView } from '../../agent/lib/gossip/members-view.ts';
import type { Item, StateRecord } from '../../agent/lib/gossip/messages.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureOverlay } from '../../agent/lib/membership/secure-overlay.ts';
import { Writer } from '../../agent/lib/wire/codec.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { NatmNode } from '../../agent/natm/natm-node.ts';
import { KEY, seeded, SimWorld } from '../natm/sim-world.ts';
import { makeCa, makeNode, NOW, random, type TestCa, type TestNode } from './fixtures.ts';

const IH = 'cd'.repeat(20);
const BT_PORT = 51413;
const TOP = Number.MAX_SAFE_INTEGER;

interface Sim {
  id: string;
  node: TestNode;
  overlay: SecureOverlay;
  gossip: AttachedGossip;
}

describe('state records signed by the node they describe (6 simulated natm nodes)', () => {
  let w: SimWorld;
  let ca: TestCa;
  let T0 = 0;
  let sims: Sim[] = [];
  let hostile: Sim;
  let victim: Sim;
  /** The honest nodes that watch (all but the hostile one and the victim). */
  let watchers: Sim[] = [];

  function add(node: TestNode, seed: number): Sim {
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
      {
        link: natm,
        clock: { now: () => NOW + w.clock.now() - T0 },
        random,
        revocation: new RevocationState(),
      },
      { identity: node.identity, ca, cluster: ca.cluster, signKey: node.sign.privateKey },
    );
    w.clock.setInterval(() => overlay.connect(), 5000);
    const gossip = attachGossip(overlay, undefined, {
      logger: silentLogger(),
      clock: w.clock,
      random: seeded(seed),
      records: overlay.records,
    });
    natm.start();
    return { id: node.nodeId, node, overlay, gossip };
  }

  /** The canonical bytes a record signature covers (docs/protocol/gossip.md §Fleet view). */
  function signedBytes(r: StateRecord): Buffer {
    const wr = new Writer();
    writeState(wr, r);
    return Buffer.concat([Buffer.from(`p2pu-state-v1\0${ca.cluster}\0`), wr.finish()]);
  }
  async function signAs(by: TestNode, r: StateRecord): Promise<Item> {
    const na = await membershipReady();
    const sig = na.crypto_sign_detached(signedBytes(r), by.sign.privateKey);
    return { kind: 'state', record: r, sig: { key: by.sign.publicKey, sig } };
  }
  const record = (over: Partial<StateRecord>): StateRecord => ({
    node: victim.id,
    seq: w.clock.now() + 1000,
    agentVersion: 'evil',
    applied: { 'p2pu://fw': 999 },
    current: null,
    btPort: 25,
    have: [IH],
    ...over,
  });
  /** The hostile member sends `items` to every watcher over its certificate sessions. */
  function forge(items: Item[]): void {
    for (const s of watchers)
      assert.ok(
        hostile.overlay.send(s.id, encodePacket({ body: { type: 'gossip' }, items })),
        `no session to ${s.id}`,
      );
    w.run(2000);
  }
  const view = (s: Sim, of: Sim): MemberView => s.gossip.members().members.find((m) => m.id === of.id)!;
  const appliedOf = (of: Sim) => new Set(watchers.map((s) => view(s, of).applied['p2pu://fw']));

  before(async () => {
    await membershipReady();
    ca = await makeCa('plant');
    w = await SimWorld.create({ delayMs: 10, seed: 9 });
    T0 = w.clock.now();
    w.addRendezvous();
    const nodes = await Promise.all(Array.from({ length: 6 }, () => makeNode(ca)));
    sims = nodes.map((n, i) => add(n, 100 + i));
    [hostile, victim] = [sims[0]!, sims[1]!];
    watchers = sims.slice(2);
    for (const s of sims) {
      s.gossip.node.local.setBtPort(BT_PORT);
      s.gossip.node.local.setHave(IH, true);
      s.gossip.node.setState({ applied: { 'p2pu://fw': 1 }, current: null });
    }
    w.run(60_000);
    hostile.gossip.stop(); // from now on it only sends what the test forges
  });

  after(async () => {
    for (const s of sims) s.gossip.stop();
    await w.stop();
  });

  it("every node holds every other node's record, signed by that node", () => {
    for (const s of sims.slice(1))
      for (const o of sims.filter((x) => x !== s)) {
        const v = view(s, o);
        assert.deepEqual(v.applied, { 'p2pu://fw': 1 }, `${s.id} about ${o.id}`);
        assert.equal(v.signed, true, `${s.id} about ${o.id}`);
        assert.equal(s.gossip.node.fleet.isSignedBy(o.id), true);
      }
  });

  it("a member cannot write, alter or pin another node's record, nor redirect its BitTorrent port", async () => {
    const unsigned: Item = { kind: 'state', record: record({ seq: TOP }), sig: null };
    const byHostile = await signAs(hostile.node, record({}));
    const genuine = await signAs(victim.node, record({ applied: { 'p2pu://fw': 1 }, btPort: BT_PORT }));
    const altered: Item = { ...genuine, record: record({ btPort: BT_PORT }) } as Item; // victim's signature, other fields
    const ahead = await signAs(victim.node, record({ seq: w.clock.now() + 3_600_000, btPort: BT_PORT }));
    forge([unsigned, byHostile]);
    forge([altered, ahead]);
    assert.deepEqual(appliedOf(victim), new Set([1]), 'every watcher still shows the victim at 1');
    for (const s of watchers) {
      const ports = btPeers(s.gossip.node, IH)
        .filter((p) => p.ip === w.hosts.get(victim.id)!.address)
        .map((p) => p.port);
      assert.deepEqual(ports, [BT_PORT], `${s.id}: the victim's own address with its signed port`);
      const c = s.gossip.node.fleet.counters;
      // seq 2^53 − 1 and an hour ahead: refused before any signature check; two bad signatures
      assert.ok(c.ahead >= 2 && c.badSignature >= 2, JSON.stringify(c));
    }
  });

  it('unsigned records count nowhere, not even about their sender', () => {
    forge([
      {
        kind: 'state',
        record: record({ node: hostile.id, seq: w.clock.now() + 2000, applied: { 'p2pu://fw': 7 } }),
        sig: null,
      },
    ]);
    assert.deepEqual(appliedOf(hostile), new Set([1]), "the hostile node's last signed record stands");
    for (const s of watchers) assert.ok(s.gossip.node.fleet.counters.unsigned >= 1);
  });

  it('a record its node signed, within the clock bound, counts and is passed on', async () => {
    const next = await signAs(
      victim.node,
      record({ applied: { 'p2pu://fw': 2 }, btPort: BT_PORT, seq: w.clock.now() + 5000 }),
    );
    assert.ok(
      hostile.overlay.send(watchers[0]!.id, encodePacket({ body: { type: 'gossip' }, items: [next] })),
    );
    w.run(10_000);
    assert.deepEqual(appliedOf(victim), new Set([2]), 'relayed to every watcher, still signed');
    for (const s of watchers) assert.equal(s.gossip.node.fleet.isSignedBy(victim.id), true);
  });
});
