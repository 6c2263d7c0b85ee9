/**
 * Swapping a node's own certificate in SecureLinks (renewal without a restart): only a
 * certificate of this CA and cluster, valid now, naming this node's keys and not older
 * than the one in use is taken; new handshakes present it; `rehandshake` gives it to the
 * peers of live sessions. natm's renewFraction config key is range-checked.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { issueCertificate } from '../../agent/lib/membership/certificate.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureLinks } from '../../agent/lib/membership/secure-links.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { makeCa, makeNode, NOW, NOW_S, random, type TestCa, type TestNode } from './fixtures.ts';
import { SimNet } from './sim-net.ts';

describe('own certificate swap', () => {
  let ca: TestCa;
  let me: TestNode;
  let peer: TestNode;
  const reissue = (over: { issuedAt?: number; expires?: number; cluster?: string }, signer = ca) =>
    issueCertificate(
      {
        cluster: 'lab',
        nodeId: me.nodeId,
        owner: 'alice',
        signKey: me.sign.publicKey,
        kxKey: me.kx.publicKey,
        issuedAt: NOW_S,
        expires: NOW_S + 30 * 86400,
        ...over,
      },
      signer,
    );
  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
    me = await makeNode(ca, { expires: NOW_S + 600 });
    peer = await makeNode(ca);
  });

  const links = (node: TestNode, now: { now(): number }) =>
    new SecureLinks(
      { clock: now, random, revocation: new RevocationState() },
      { identity: node.identity, ca, cluster: 'lab' },
    );

  it('refuses another CA, another cluster, another node, an expired or an older certificate; keeps the old one', async () => {
    const l = links(me, { now: () => NOW });
    const other = await makeCa('lab');
    const refusals: [Uint8Array, string][] = [
      [await reissue({}, other), 'WRONG_CA'],
      [await reissue({ cluster: 'elsewhere' }), 'WRONG_CLUSTER'],
      [peer.cert, 'KEY_MISMATCH'],
      [await reissue({ issuedAt: NOW_S - 7200, expires: NOW_S - 1 }), 'EXPIRED'],
      [await reissue({ issuedAt: NOW_S - 3600 }), 'STALE_CERT'], // older than the one in use (NOW_S - 60)
      [new Uint8Array([1, 2, 3]), 'MALFORMED'],
    ];
    for (const [raw, code] of refusals) {
      const r = l.setCertificate(raw);
      assert.ok(!r.ok && r.error.code === code, `${code}: ${JSON.stringify(r)}`);
      assert.deepEqual(l.identity.cert, me.cert, 'the old certificate stays');
    }
    const fresh = await reissue({});
    const ok = l.setCertificate(fresh);
    assert.ok(ok.ok && ok.cert.expires === NOW_S + 30 * 86400);
    assert.equal(l.certificate.expires, NOW_S + 30 * 86400);
    assert.deepEqual(l.identity.cert, fresh);
  });

  it('new handshakes present the swapped certificate; rehandshake hands it to peers of live sessions', async () => {
    const now = { t: NOW };
    const clock = { now: () => now.t };
    const net = new SimNet();
    net.add('me', links(me, clock));
    net.add('peer', links(peer, clock));
    net.send('me', 'peer', 'before');
    net.run();
    assert.deepEqual(net.texts('peer'), ['before']);
    assert.equal(net.nodes.get('peer')!.peerCertificate('me')?.expires, NOW_S + 600);

    const fresh = await reissue({});
    assert.ok(net.nodes.get('me')!.setCertificate(fresh).ok);
    assert.equal(
      net.nodes.get('peer')!.peerCertificate('me')?.expires,
      NOW_S + 600,
      'a session up keeps the certificate it was made with',
    );
    const hs = net.nodes.get('me')!.rehandshake();
    assert.deepEqual(
      hs.map((h) => h.path),
      ['peer'],
    );
    assert.equal(net.nodes.get('me')!.rehandshake().length, 0, 'one pending re-handshake per path');
    for (const h of hs) net.inject('me', h.path, h.packet);
    net.run(); // HS1, COOKIE, HS1 + cookie, HS2, HS3
    assert.equal(
      net.nodes.get('peer')!.peerCertificate('me')?.expires,
      NOW_S + 30 * 86400,
      'peer holds the new one',
    );
    net.send('me', 'peer', 'during'); // the new session from now on
    net.run();
    now.t = NOW + 700_000; // past the old certificate's expiry
    net.send('me', 'peer', 'after');
    net.send('peer', 'me', 'back');
    net.run();
    assert.deepEqual(net.texts('peer'), ['before', 'during', 'after']);
    assert.deepEqual(net.texts('me'), ['back']);
  });

  it('natm config: renewFraction defaults to a third and is range-checked', () => {
    const base = { id: 'n1', clusterKeys: ['k'], rendezvous: ['127.0.0.1:3478'] };
    assert.equal(natmConfig(base).renewFraction, 1 / 3);
    assert.equal(natmConfig({ ...base, renewFraction: 0.5 }).renewFraction, 0.5);
    for (const bad of [0, 0.95, '0.5', -1])
      assert.throws(() => natmConfig({ ...base, renewFraction: bad }), { code: 'CONFIG' });
  });
});
