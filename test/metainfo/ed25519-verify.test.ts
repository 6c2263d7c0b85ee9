/**
 * agent/lib/crypto/ed25519-verify.ts (node's Ed25519, which the manager verifies with)
 * against libsodium's crypto_sign_verify_detached (which it replaced there): the same
 * answers on valid signatures, on tampered ones, on S ≥ L, and on the forgery that works
 * against a small-order public key.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { ed25519Verify } from '../../agent/lib/crypto/ed25519-verify.ts';
import { sodium } from '../../agent/lib/crypto/sodium.ts';

type Sodium = Awaited<ReturnType<typeof sodium>>;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).reverse().toString('hex') || '0'}`);
const toLe = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
const hex = (h: string): Buffer => Buffer.from(h, 'hex');
const SMALL_ORDER_KEYS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].flatMap((h) => [hex(h), Buffer.concat([hex(h).subarray(0, 31), Buffer.of(hex(h)[31]! | 0x80)])]);
const IDENTITY = hex('01'.padEnd(64, '0'));

/** S = 0, R = identity: valid for a key A of order dividing 8 when 8 | H(R‖A‖M) mod L. */
function forge(a: Uint8Array): { sig: Buffer; msg: Buffer } {
  for (let i = 0; ; i++) {
    const msg = Buffer.from(`forged ${i}`);
    const k = le(createHash('sha512').update(IDENTITY).update(a).update(msg).digest()) % L;
    if (k % 8n === 0n) return { sig: Buffer.concat([IDENTITY, Buffer.alloc(32)]), msg };
  }
}

function plainOpenSsl(sig: Uint8Array, msg: Uint8Array, a: Uint8Array): boolean {
  const der = Buffer.concat([hex('302a300506032b6570032100'), a]);
  return verify(null, msg, createPublicKey({ key: der, format: 'der', type: 'spki' }), sig);
}

describe('ed25519Verify answers as libsodium does', () => {
  let s: Sodium;
  before(async () => {
    s = await sodium();
  });

  it('accepts 50 valid signatures and refuses each with one bit flipped in signature, message or key', () => {
    for (let i = 0; i < 50; i++) {
      const kp = s.crypto_sign_keypair();
      const msg = s.randombytes_buf(1 + i * 7);
      const sig = s.crypto_sign_detached(msg, kp.privateKey);
      assert.equal(ed25519Verify(sig, msg, kp.publicKey), true);
      for (const [what, bytes] of [
        ['sig', sig],
        ['msg', msg],
        ['key', kp.publicKey],
      ] as const) {
        const bad = Uint8Array.from(bytes);
        bad[i % bad.length]! ^= 1 << (i % 8);
        const args = { sig, msg, key: kp.publicKey, [what]: bad };
        assert.equal(ed25519Verify(args.sig, args.msg, args.key), false, `${what} flipped, round ${i}`);
        assert.equal(s.crypto_sign_verify_detached(args.sig, args.msg, args.key), false);
      }
    }
  });

  it('refuses S + L (a malleated signature) and wrong lengths', () => {
    const kp = s.crypto_sign_keypair();
    const msg = Buffer.from('update');
    const sig = s.crypto_sign_detached(msg, kp.privateKey);
    const mall = Buffer.concat([sig.subarray(0, 32), toLe(le(sig.subarray(32)) + L)]);
    assert.equal(s.crypto_sign_verify_detached(mall, msg, kp.publicKey), false);
    assert.equal(ed25519Verify(mall, msg, kp.publicKey), false);
    assert.equal(ed25519Verify(sig.subarray(0, 63), msg, kp.publicKey), false);
    assert.equal(ed25519Verify(sig, msg, kp.publicKey.subarray(0, 31)), false);
  });

  it('refuses the forgery on every small-order key (which plain OpenSSL accepts)', () => {
    let openSslAccepted = 0;
    for (const a of SMALL_ORDER_KEYS) {
      const { sig, msg } = forge(a);
      assert.equal(s.crypto_sign_verify_detached(sig, msg, a), false);
      assert.equal(ed25519Verify(sig, msg, a), false, a.toString('hex'));
      try {
        if (plainOpenSsl(sig, msg, a)) openSslAccepted++;
      } catch {
        // a key OpenSSL cannot decode
      }
    }
    assert.ok(openSslAccepted > 0, 'the forgery is real: the check is what refuses it');
  });
});
