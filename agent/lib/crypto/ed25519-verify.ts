/**
 * Ed25519 verification with node's own crypto (OpenSSL), with libsodium's extra refusal
 * (crypto_sign_verify_detached): a public key or an R of small order (libsodium's list,
 * which includes the non-canonical spellings p and p + 1) is refused; S ≥ L OpenSSL
 * refuses itself. So a trusted key can never be one for which anyone could forge. Used where a
 * process must not pay for libsodium's WebAssembly (the manager; bench/RESULTS.md, §Footprint).
 */
import { createPublicKey, verify } from 'node:crypto';

/** DER SubjectPublicKeyInfo of an Ed25519 key, up to the 32 raw key bytes (RFC 8410). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** libsodium's list of encodings of small-order points (sign bit ignored). */
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000', // 0 (order 4)
  '0100000000000000000000000000000000000000000000000000000000000000', // 1 (order 1)
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p - 1 (order 2)
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p (= 0, order 4)
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p + 1 (= 1, order 1)
].map((h) => Buffer.from(h, 'hex'));

function smallOrder(p: Uint8Array): boolean {
  return SMALL_ORDER.some((s) => s.every((b, i) => b === (i === 31 ? p[i]! & 0x7f : p[i])));
}

export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const r = signature.subarray(0, 32);
  if (smallOrder(publicKey) || smallOrder(r)) return false;
  try {
    const key = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
