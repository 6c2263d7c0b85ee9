import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCertificate, verifyCertificate } from '../../agent/lib/membership/certificate.ts';
import { MembershipError } from '../../agent/lib/membership/errors.ts';
import { makeRequest, parseRequest } from '../../agent/lib/membership/request.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { isNodeId, nodeIdOf } from '../../agent/lib/membership/node-id.ts';
import { isPeerId } from '../../agent/lib/net/overlay-link.ts';
import { makeCa, makeNode, NOW, NOW_S, type TestCa } from './fixtures.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof MembershipError, `expected MembershipError, got ${String(e)}`);
    return e.code;
  }
  return 'OK';
}

describe('node certificates', () => {
  let ca: TestCa;
  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
  });
  const policy = () => ({ ca, cluster: 'lab', now: NOW });

  it('verifies a good certificate and returns its fields', async () => {
    const n = await makeNode(ca);
    const c = verifyCertificate(n.cert, policy());
    assert.equal(c.nodeId, n.nodeId);
    assert.equal(c.cluster, 'lab');
    assert.equal(c.owner, 'alice');
    assert.deepEqual([...c.kxKey], [...n.kx.publicKey]);
    assert.equal(decodeCertificate(n.cert).caKeyId, ca.keyId);
  });

  it('refuses a certificate from another CA (WRONG_CA)', async () => {
    const other = await makeCa('lab');
    const n = await makeNode(other);
    assert.equal(
      code(() => verifyCertificate(n.cert, policy())),
      'WRONG_CA',
    );
  });

  it('refuses a certificate signed by another key under our CA id (WRONG_CA)', async () => {
    const other = await makeCa('lab');
    const n = await makeNode(ca, {}, { keyId: ca.keyId, secretKey: other.secretKey });
    assert.equal(
      code(() => verifyCertificate(n.cert, policy())),
      'WRONG_CA',
    );
  });

  it('refuses an expired or not-yet-valid certificate (EXPIRED)', async () => {
    const old = await makeNode(ca, { issuedAt: NOW_S - 100, expires: NOW_S - 1 });
    assert.equal(
      code(() => verifyCertificate(old.cert, policy())),
      'EXPIRED',
    );
    const future = await makeNode(ca, { issuedAt: NOW_S + 3600 });
    assert.equal(
      code(() => verifyCertificate(future.cert, policy())),
      'EXPIRED',
    );
  });

  it('refuses a certificate whose node id does not derive from its key (NODE_ID_MISMATCH)', async () => {
    const n = await makeNode(ca, { nodeId: 'ab'.repeat(16) });
    assert.equal(
      code(() => verifyCertificate(n.cert, policy())),
      'NODE_ID_MISMATCH',
    );
  });

  it('refuses a revoked node (REVOKED)', async () => {
    const n = await makeNode(ca);
    const isRevoked = (id: string) => id === n.nodeId;
    assert.equal(
      code(() => verifyCertificate(n.cert, { ...policy(), isRevoked })),
      'REVOKED',
    );
  });

  it('refuses a certificate of another cluster (WRONG_CLUSTER)', async () => {
    const n = await makeNode(ca, { cluster: 'other' });
    assert.equal(
      code(() => verifyCertificate(n.cert, policy())),
      'WRONG_CLUSTER',
    );
  });

  it('refuses garbage, oversize and any flipped bit (MALFORMED or WRONG_CA)', async () => {
    const n = await makeNode(ca);
    assert.equal(
      code(() => verifyCertificate(new Uint8Array([1, 2, 3]), policy())),
      'MALFORMED',
    );
    assert.equal(
      code(() => verifyCertificate(new Uint8Array(20000), policy())),
      'MALFORMED',
    );
    for (let i = 0; i < n.cert.length; i += 7) {
      const bad = new Uint8Array(n.cert);
      bad[i]! ^= 0x01;
      assert.notEqual(
        code(() => verifyCertificate(bad, policy())),
        'OK',
        `flip at byte ${i}`,
      );
    }
  });

  it('parses a self-signed request and derives the node id; refuses a forged one', async () => {
    const n = await makeNode(ca);
    const raw = await makeRequest(
      { cluster: 'lab', owner: 'bob', signKey: n.sign.publicKey, kxKey: n.kx.publicKey, createdAt: NOW_S },
      n.sign.privateKey,
    );
    const r = parseRequest(raw);
    assert.equal(r.nodeId, n.nodeId);
    assert.equal(r.owner, 'bob');
    const other = await makeNode(ca);
    const forged = await makeRequest(
      { cluster: 'lab', owner: 'bob', signKey: n.sign.publicKey, kxKey: n.kx.publicKey, createdAt: NOW_S },
      other.sign.privateKey,
    );
    assert.equal(
      code(() => parseRequest(forged)),
      'MALFORMED',
    );
  });
});

describe('node ids and peer ids', () => {
  it('a node id is 32 hex digits from the key; every node id is a peer id, not the other way round', () => {
    const id = nodeIdOf(new Uint8Array(32).fill(1));
    assert.ok(isNodeId(id) && isPeerId(id));
    for (const name of ['node-1', 'n1', 'rdv.a_b'])
      assert.ok(isPeerId(name) && !isNodeId(name), `${name}: a peer id only`);
    for (const bad of ['', 'A', 'x'.repeat(33), 'a b', 'ü']) assert.ok(!isPeerId(bad), `${bad}: no peer id`);
    assert.ok(!isNodeId(id.toUpperCase()) && !isNodeId(id.slice(1)));
  });
});
