/**
 * Simulated network (membership): nodes link through a relay that sees every packet.
 * A bit-flipping relay is detected; a node of another cluster or CA cannot join; a
 * revoked node is cut off by every node while the others go on.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import {
  openRevocationList,
  openRevocationNotice,
  signRevocationList,
  signRevocationNotice,
} from '../../agent/lib/membership/revocation.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureLinks } from '../../agent/lib/membership/secure-links.ts';
import { T_DATA } from '../../agent/lib/membership/wire.ts';
import { makeCa, makeNode, NOW, NOW_S, random, type TestCa, type TestNode } from './fixtures.ts';
import { SimNet } from './sim-net.ts';

const ADDR = ['198.18.1.1:4000', '198.18.1.2:4000', '198.18.1.3:4000', '198.18.1.4:4000'];

describe('secure links on a simulated network', () => {
  let ca: TestCa;
  let nodes: TestNode[];
  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
    nodes = await Promise.all(ADDR.map(() => makeNode(ca)));
  });

  function build(members: { node: TestNode; addr: string; ca?: TestCa }[]) {
    const net = new SimNet();
    const now = { t: NOW };
    const revs = members.map(({ node, addr, ca: c }) => {
      const revocation = new RevocationState();
      const authority = c ?? ca;
      net.add(
        addr,
        new SecureLinks(
          { clock: { now: () => now.t }, random, revocation },
          { identity: node.identity, ca: authority, cluster: authority.cluster },
        ),
      );
      return revocation;
    });
    return { net, now, revs };
  }

  function allPairs(net: SimNet, addrs: string[], tag: string) {
    for (const a of addrs) for (const b of addrs) if (a !== b) net.send(a, b, `${tag} ${a}->${b}`);
    net.run();
  }

  it('every pair links through the relay; the relay never sees a payload or certificate in clear', () => {
    const { net } = build(nodes.map((node, i) => ({ node, addr: ADDR[i]! })));
    allPairs(net, ADDR, 'secret-notification');
    for (const [i, a] of ADDR.entries()) {
      assert.equal(net.texts(a).length, 3, `node ${i} got one message from each other node`);
      for (const d of net.delivered.filter((x) => x.at === a)) assert.ok(d.text.endsWith(`->${a}`));
    }
    const proven = net.delivered.find((d) => d.at === ADDR[1] && d.text.includes(`${ADDR[0]}->`));
    assert.equal(proven?.peerId, nodes[0]!.nodeId, 'sender identity proven by certificate');
    const seen = Buffer.concat(net.seenByRelay);
    assert.equal(seen.indexOf('secret-notification'), -1);
    assert.equal(seen.indexOf(Buffer.from(nodes[0]!.cert.subarray(30, 70))), -1);
    assert.equal(net.drops.length, 0);
  });

  it('a relay that flips bits is detected: nothing altered is delivered', () => {
    const { net } = build(nodes.slice(0, 2).map((node, i) => ({ node, addr: ADDR[i]! })));
    net.send(ADDR[0]!, ADDR[1]!, 'hello');
    net.run();
    assert.deepEqual(net.texts(ADDR[1]!), ['hello']);
    let flips = 0;
    net.relay = (p) => {
      if (p.bytes[0] !== T_DATA) return p.bytes;
      const b = new Uint8Array(p.bytes);
      b[(flips++ * 7) % b.length]! ^= 0x20;
      return b;
    };
    for (let k = 0; k < 20; k++) net.send(ADDR[0]!, ADDR[1]!, `tampered ${k}`);
    net.run();
    assert.deepEqual(net.texts(ADDR[1]!), ['hello'], 'no altered message delivered');
    assert.equal(net.drops.length, 20);
    assert.ok(
      net.drops.every((d) => ['DECRYPT_FAILED', 'REPLAY', 'MALFORMED', 'UNEXPECTED'].includes(d.code)),
    );
    net.relay = (p) => p.bytes;
    net.send(ADDR[0]!, ADDR[1]!, 'after');
    net.run();
    assert.deepEqual(net.texts(ADDR[1]!), ['hello', 'after'], 'the link survives the attack');
  });

  it('a relay that flips bits during the handshake stops it: no session, nothing delivered', () => {
    const { net } = build(nodes.slice(0, 2).map((node, i) => ({ node, addr: ADDR[i]! })));
    net.relay = (p) => {
      if (p.bytes[0] === 1 || p.bytes[0] === 2) return p.bytes;
      const b = new Uint8Array(p.bytes);
      b[b.length - 3]! ^= 1;
      return b;
    };
    net.send(ADDR[0]!, ADDR[1]!, 'never');
    net.run();
    assert.equal(net.delivered.length, 0);
    assert.ok(net.drops.some((d) => d.code === 'DECRYPT_FAILED'));
    assert.equal(net.nodes.get(ADDR[0]!)!.peerOn(ADDR[1]!), undefined);
  });

  it('a node with a certificate of another cluster or another CA cannot join', async () => {
    const otherCluster = await makeNode(ca, { cluster: 'other' });
    const otherCa = await makeCa('lab');
    const stranger = await makeNode(otherCa);
    const { net } = build([
      { node: nodes[0]!, addr: ADDR[0]! },
      { node: nodes[1]!, addr: ADDR[1]! },
      { node: otherCluster, addr: ADDR[2]! },
      { node: stranger, addr: ADDR[3]!, ca: otherCa },
    ]);
    allPairs(net, ADDR, 'm');
    assert.equal(net.texts(ADDR[0]!).length, 1, 'node 0 hears only node 1');
    assert.equal(net.texts(ADDR[1]!).length, 1);
    assert.deepEqual(net.texts(ADDR[2]!), []);
    assert.deepEqual(net.texts(ADDR[3]!), []);
    const codes = new Set(net.drops.map((d) => d.code));
    assert.ok(codes.has('WRONG_CLUSTER') && codes.has('WRONG_CA'), [...codes].join(','));
  });

  it('a revoked node is cut off by every node (notice by gossip, then the list); the others go on', async () => {
    const { net, revs } = build(nodes.map((node, i) => ({ node, addr: ADDR[i]! })));
    allPairs(net, ADDR, 'before');
    assert.equal(net.delivered.length, 12);
    const victim = nodes[1]!.nodeId;
    const notice = await signRevocationNotice({ cluster: 'lab', nodeId: victim, issuedAt: NOW_S }, ca);
    // Gossip of the notice: nodes 0 and 2 get it now; node 3 only later through the CRL.
    for (const i of [0, 2]) revs[i]!.acceptNotice(openRevocationNotice(notice, ca, 'lab'));
    for (const i of [0, 2])
      assert.equal(net.nodes.get(ADDR[i]!)!.peerOn(ADDR[1]!), undefined, 'session dropped');
    const crl = await signRevocationList({ cluster: 'lab', seq: 2, issuedAt: NOW_S, ids: [victim] }, ca);
    revs[3]!.acceptList(openRevocationList(crl, ca, 'lab'));
    const before = net.delivered.length;
    allPairs(net, ADDR, 'after');
    const after = net.delivered.slice(before);
    assert.ok(!after.some((d) => d.peerId === victim), 'nobody hears the revoked node');
    assert.ok(!after.some((d) => d.at === ADDR[1]), 'the revoked node hears nobody');
    for (const i of [0, 2, 3])
      assert.equal(
        net.texts(ADDR[i]!).filter((t) => t.startsWith('after')).length,
        2,
        JSON.stringify([i, net.texts(ADDR[i]!), net.drops]),
      );
    assert.ok(net.drops.some((d) => d.code === 'REVOKED'));
  });

  it('loss of HS1, COOKIE, HS2 and HS3 is repaired by retries; every message arrives once', () => {
    const { net, now } = build(nodes.slice(0, 2).map((node, i) => ({ node, addr: ADDR[i]! })));
    const lose = new Set([1, 2, 3, 4]); // first packet of each handshake type
    net.relay = (p) => (lose.delete(p.bytes[0]!) ? null : p.bytes);
    for (let k = 0; k < 8; k++) {
      net.send(ADDR[0]!, ADDR[1]!, `m${k}`);
      net.run();
      now.t += 1000;
    }
    net.send(ADDR[1]!, ADDR[0]!, 'reply');
    net.run();
    assert.equal(lose.size, 0, 'each type was lost once');
    assert.deepEqual(net.texts(ADDR[1]!), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    assert.deepEqual(net.texts(ADDR[0]!), ['reply']);
    const before = net.seenByRelay.length;
    net.send(ADDR[0]!, ADDR[1]!, 'confirmed');
    net.run();
    assert.equal(net.seenByRelay.length - before, 1, 'after the reply, no HS3 rides along');
  });

  it('a session ends when the peer certificate expires', async () => {
    const shortLived = await makeNode(ca, { expires: NOW_S + 60 });
    const { net, now } = build([
      { node: nodes[0]!, addr: ADDR[0]! },
      { node: shortLived, addr: ADDR[1]! },
    ]);
    net.send(ADDR[0]!, ADDR[1]!, 'in time');
    net.run();
    assert.deepEqual(net.texts(ADDR[1]!), ['in time']);
    now.t += 120_000;
    net.send(ADDR[0]!, ADDR[1]!, 'too late');
    net.run();
    assert.deepEqual(net.texts(ADDR[1]!), ['in time']);
    assert.ok(net.drops.some((d) => d.code === 'EXPIRED'));
  });
});
