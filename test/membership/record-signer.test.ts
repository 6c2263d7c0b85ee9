/** RecordSigner: a state record verifies only as its own node's, in its own cluster (issue 16 item 4). */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../agent/lib/common/errors.ts';
import { decodeCertificate } from '../../agent/lib/membership/certificate.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { RecordSigner } from '../../agent/lib/membership/record-signer.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureOverlay } from '../../agent/lib/membership/secure-overlay.ts';
import { Hub } from './sim-hub.ts';
import { makeCa, makeNode, NOW, random, type TestCa, type TestNode } from './fixtures.ts';

describe('RecordSigner', () => {
  let ca: TestCa;
  let a: TestNode;
  let b: TestNode;
  const body = new TextEncoder().encode('a record');
  const signer = (n: TestNode, cluster = 'lab', over: Partial<{ revoked: string; certOf: TestNode }> = {}) =>
    new RecordSigner(
      {
        certOf: (id) => (over.certOf && id === a.nodeId ? decodeCertificate(over.certOf.cert) : undefined),
        isRevoked: (id) => id === over.revoked,
      },
      { cluster, signKey: n.sign.privateKey },
    );

  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
    [a, b] = [await makeNode(ca), await makeNode(ca)];
  });

  it("verifies a node's own signature, and nothing else", () => {
    const sig = signer(a).sign(body);
    assert.equal(sig.key.length, 32);
    assert.equal(sig.sig.length, 64);
    const v = signer(b);
    assert.equal(v.verify(a.nodeId, body, sig), true);
    assert.equal(v.verify(b.nodeId, body, sig), false, "a's key does not name b");
    assert.equal(v.verify(a.nodeId, new TextEncoder().encode('a recorD'), sig), false, 'altered body');
    const flipped = { key: sig.key, sig: sig.sig.slice() };
    flipped.sig[5]! ^= 1;
    assert.equal(v.verify(a.nodeId, body, flipped), false);
    assert.equal(v.verify(a.nodeId, body, { key: sig.key.subarray(0, 31), sig: sig.sig }), false);
    assert.equal(v.verify(a.nodeId, body, { key: sig.key, sig: new Uint8Array(10) }), false);
    assert.equal(signer(b, 'other').verify(a.nodeId, body, sig), false, 'another cluster');
    assert.equal(signer(b, 'lab', { revoked: a.nodeId }).verify(a.nodeId, body, sig), false, 'revoked');
    assert.equal(
      signer(b, 'lab', { certOf: b }).verify(a.nodeId, body, sig),
      false,
      'not the key its session cert names',
    );
    assert.equal(signer(b, 'lab', { certOf: a }).verify(a.nodeId, body, sig), true);
  });

  it('refuses a key that is not 64 bytes, and SecureOverlay a key its certificate does not name', () => {
    assert.throws(
      () =>
        new RecordSigner(
          { certOf: () => undefined, isRevoked: () => false },
          { cluster: 'lab', signKey: new Uint8Array(32) },
        ),
      ConfigError,
    );
    const link = new Hub().link(a.nodeId);
    const c = { link, clock: { now: () => NOW }, random, revocation: new RevocationState() };
    assert.throws(
      () => new SecureOverlay(c, { identity: a.identity, ca, cluster: 'lab', signKey: b.sign.privateKey }),
      ConfigError,
    );
    const ok = new SecureOverlay(c, { identity: a.identity, ca, cluster: 'lab', signKey: a.sign.privateKey });
    assert.equal(ok.records.verify(a.nodeId, body, ok.records.sign(body)), true);
  });
});
