import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkIdProof, proveId } from '../../agent/membership/id-proof.ts';
import { membershipReady, type Sodium } from '../../agent/membership/na.ts';
import { nodeIdOf } from '../../agent/membership/node-id.ts';
import { NOW } from './fixtures.ts';

describe('self-certifying id proofs (for a rendezvous that trusts no CA)', () => {
  let na: Sodium;
  before(async () => {
    na = await membershipReady();
  });

  it('a node proves its id; forged, stale, altered or borrowed proofs are refused', async () => {
    const kp = na.crypto_sign_keypair();
    const k = { publicKey: kp.publicKey, secretKey: kp.privateKey };
    const proof = await proveId(k, 'register 198.18.0.7:4000', NOW);
    assert.deepEqual(checkIdProof(proof, NOW + 1000), {
      ok: true,
      nodeId: nodeIdOf(kp.publicKey),
      what: 'register 198.18.0.7:4000',
    });
    assert.deepEqual(checkIdProof(proof, NOW + 61_000), { ok: false, reason: 'stale' });
    const altered = Buffer.from(proof);
    const at = altered.indexOf('198.18.0.7');
    altered[at + 9] = '8'.charCodeAt(0);
    assert.deepEqual(checkIdProof(altered, NOW), { ok: false, reason: 'bad_signature' });
    // Another key cannot claim this id: the id must derive from the signing key.
    const other = na.crypto_sign_keypair();
    const theirs = await proveId({ publicKey: other.publicKey, secretKey: other.privateKey }, 'x', NOW);
    const claim = Buffer.from(theirs);
    const idAt = claim.indexOf(nodeIdOf(other.publicKey));
    claim.write(nodeIdOf(kp.publicKey), idAt, 'utf8');
    assert.deepEqual(checkIdProof(claim, NOW), { ok: false, reason: 'id_mismatch' });
    assert.deepEqual(checkIdProof(new Uint8Array(600), NOW), { ok: false, reason: 'too_large' });
    assert.deepEqual(checkIdProof(new Uint8Array([100, 101]), NOW), { ok: false, reason: 'malformed' });
  });
});
