/**
 * Certificate expiry (issue 8): a node is a member only while its certificate is valid.
 * A handshake with an expired certificate is refused both ways; a proven peer whose
 * certificate expires while its session is up stops being proven and is no longer heard;
 * on a simulated network every other node cuts the expired node off and the rest go on.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureLinks } from '../../agent/lib/membership/secure-links.ts';
import { SecureOverlay } from '../../agent/lib/membership/secure-overlay.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { makeCa, makeNode, NOW, NOW_S, random, type TestCa, type TestNode } from './fixtures.ts';
import { Hub } from './sim-hub.ts';
import { SimNet } from './sim-net.ts';

const ADDR = ['198.18.2.1:4000', '198.18.2.2:4000', '198.18.2.3:4000', '198.18.2.4:4000'];
const LIFE_S = 600; // the short-lived certificate's validity left at NOW

describe('certificate expiry', () => {
  let ca: TestCa;
  let good: TestNode[];
  let shortLived: TestNode;
  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
    good = await Promise.all([0, 1, 2].map(() => makeNode(ca)));
    shortLived = await makeNode(ca, { expires: NOW_S + LIFE_S });
  });

  function links(node: TestNode, clock: { now(): number }) {
    return new SecureLinks(
      { clock, random, revocation: new RevocationState() },
      { identity: node.identity, ca, cluster: 'lab' },
    );
  }

  it('a handshake with a certificate past its expiry is refused (EXPIRED), whichever side starts', () => {
    const clock = { now: () => NOW + LIFE_S * 1000 }; // exactly at notAfter: no longer valid
    for (const [from, to] of [
      ['exp', 'ok'],
      ['ok', 'exp'],
    ] as const) {
      const net = new SimNet();
      net.add('ok', links(good[0]!, clock));
      net.add('exp', links(shortLived, clock));
      net.send(from, to, 'hello');
      net.run();
      assert.deepEqual(net.delivered, [], `${from} → ${to}: nothing delivered`);
      // The valid node refuses the handshake; when the expired node started it, the DATA it
      // sealed on its (one-sided) session then finds no session here.
      const codes = net.drops.filter((d) => d.at === 'ok').map((d) => d.code);
      assert.equal(codes[0], 'EXPIRED', `${from} → ${to}: ${codes.join(',')}`);
      assert.ok(
        codes.slice(1).every((c) => c === 'UNEXPECTED'),
        codes.join(','),
      );
      assert.equal(net.nodes.get('ok')!.peerOn('exp'), undefined, 'no session at the valid node');
    }
    // One second earlier the same pair links fine: it is the clock that decides.
    const net = new SimNet();
    const before = { now: () => NOW + (LIFE_S - 1) * 1000 };
    net.add('ok', links(good[0]!, before));
    net.add('exp', links(shortLived, before));
    net.send('exp', 'ok', 'in time');
    net.run();
    assert.deepEqual(net.texts('ok'), ['in time']);
  });

  it('a proven peer whose certificate expires while its session is up is dropped: not proven, not listed, not heard', () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const now = { now: () => NOW + clock.now() - t0 };
    const hub = new Hub();
    const make = (node: TestNode) =>
      new SecureOverlay(
        { link: hub.link(node.nodeId), clock: now, random, revocation: new RevocationState() },
        { identity: node.identity, ca, cluster: 'lab', signKey: node.sign.privateKey },
      );
    const a = make(good[0]!);
    const x = make(shortLived);
    const heardByA: string[] = [];
    a.onMessage((peer, p) => heardByA.push(`${peer.slice(0, 4)}:${new TextDecoder().decode(p)}`));
    const heardByX: string[] = [];
    x.onMessage((_peer, p) => heardByX.push(new TextDecoder().decode(p)));
    a.connect();
    hub.run();
    const xid = shortLived.nodeId;
    assert.ok(a.isProven(xid) && x.isProven(good[0]!.nodeId), 'both proven');
    assert.deepEqual(
      a.peers().map((p) => p.id),
      [xid],
    );
    assert.ok(x.send(good[0]!.nodeId, new TextEncoder().encode('valid')));
    hub.run();
    assert.deepEqual(heardByA, [`${xid.slice(0, 4)}:valid`]);

    clock.advance(LIFE_S * 1000); // no traffic in between: the session is still up
    assert.equal(a.isProven(xid), false, 'not proven once its certificate expired');
    assert.deepEqual(a.peers(), [], 'no longer listed (gossip stops counting it as a member)');
    assert.ok(x.send(good[0]!.nodeId, new TextEncoder().encode('expired')));
    hub.run();
    assert.deepEqual(heardByA, [`${xid.slice(0, 4)}:valid`], 'its messages are refused');
    assert.ok((a.counters.get('drop_expired') ?? 0) + (a.counters.get('drop_unexpected') ?? 0) > 0);
    assert.equal(a.counters.get('drop_revoked') ?? 0, 0, 'counted as expired, not as revoked');
    a.send(xid, new TextEncoder().encode('to the expired node'));
    hub.run();
    assert.deepEqual(heardByX, [], 'and it hears nothing from us: our new handshake refuses it');
    assert.ok((a.counters.get('drop_expired') ?? 0) > 0, 'the new handshake is refused as EXPIRED');
    assert.equal(a.isProven(xid), false);
    a.connect();
    hub.run();
    assert.equal(a.isProven(xid), false, 'reconnecting does not bring it back');
  });

  it('simulated network: a node whose certificate expires is cut off by every other node; the others go on', () => {
    const net = new SimNet();
    const now = { t: NOW };
    const clock = { now: () => now.t };
    const nodes = [good[0]!, shortLived, good[1]!, good[2]!];
    nodes.forEach((n, i) => net.add(ADDR[i]!, links(n, clock)));
    const allPairs = (tag: string) => {
      for (const a of ADDR) for (const b of ADDR) if (a !== b) net.send(a, b, `${tag} ${a}->${b}`);
      net.run();
    };
    allPairs('before');
    assert.equal(net.delivered.length, 12, 'everyone hears everyone while the certificate is valid');
    now.t += LIFE_S * 1000 + 1000;
    const mark = net.delivered.length;
    allPairs('after');
    allPairs('again'); // a second round: no new session forms either
    const after = net.delivered.slice(mark);
    const expired = shortLived.nodeId;
    assert.ok(!after.some((d) => d.peerId === expired), 'nobody hears the expired node');
    assert.ok(!after.some((d) => d.at === ADDR[1]), 'the expired node hears nobody');
    for (const i of [0, 2, 3]) {
      assert.equal(net.nodes.get(ADDR[i]!)!.peerOn(ADDR[1]!), undefined, `node ${i}: no session with it`);
      const got = net.texts(ADDR[i]!).filter((t) => !t.startsWith('before'));
      assert.equal(got.length, 4, `node ${i} still hears the two others, twice: ${JSON.stringify(got)}`);
      assert.ok(!got.some((t) => t.includes(`${ADDR[1]}->`)));
    }
    assert.ok(net.drops.some((d) => d.code === 'EXPIRED'));
    assert.ok(!net.drops.some((d) => d.code === 'REVOKED'), 'an expired node is not reported as revoked');
  });
});
