/**
 * The Noise functions for Noise_XX_25519_ChaChaPoly_BLAKE2b (Noise spec rev 34 §4,
 * §12): DH = X25519, cipher = ChaCha20-Poly1305 IETF with a 96-bit nonce of 32 zero
 * bits then the 64-bit little-endian counter, HASH = BLAKE2b-512, HMAC after RFC 2104
 * with BLOCKLEN 128, HKDF as in spec §4.3. All from libsodium, synchronous.
 */
import { na } from './na.ts';

export const HASHLEN = 64;
const BLOCKLEN = 128;
export const DHLEN = 32;
export const TAGLEN = 16;

export function hash(...parts: Uint8Array[]): Uint8Array {
  return na().crypto_generichash(HASHLEN, Buffer.concat(parts), null);
}

export function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = new Uint8Array(BLOCKLEN);
  k.set(key.length > BLOCKLEN ? hash(key) : key);
  const ipad = k.map((b) => b ^ 0x36);
  const opad = k.map((b) => b ^ 0x5c);
  return hash(opad, hash(ipad, data));
}

/** HKDF(chaining_key, input_key_material, 2) of spec §4.3. */
export function hkdf2(ck: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const temp = hmac(ck, ikm);
  const o1 = hmac(temp, Uint8Array.of(1));
  const o2 = hmac(temp, Buffer.concat([o1, Uint8Array.of(2)]));
  return [o1, o2];
}

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export function generateKxPair(random: (n: number) => Uint8Array): KeyPair {
  const secretKey = random(32);
  return { secretKey, publicKey: na().crypto_scalarmult_base(secretKey) };
}

/** X25519; throws on a low-order point (libsodium refuses an all-zero result). */
export function dh(kp: KeyPair, publicKey: Uint8Array): Uint8Array {
  return na().crypto_scalarmult(kp.secretKey, publicKey);
}

export function nonce96(n: number): Uint8Array {
  const b = Buffer.alloc(12);
  b.writeBigUInt64LE(BigInt(n), 4);
  return b;
}

export function aeadEncrypt(k: Uint8Array, n: number, ad: Uint8Array, pt: Uint8Array): Uint8Array {
  return na().crypto_aead_chacha20poly1305_ietf_encrypt(pt, ad, null, nonce96(n), k);
}

/** Returns null when the tag does not verify. */
export function aeadDecrypt(k: Uint8Array, n: number, ad: Uint8Array, ct: Uint8Array): Uint8Array | null {
  if (ct.length < TAGLEN) return null;
  try {
    return na().crypto_aead_chacha20poly1305_ietf_decrypt(null, ct, ad, nonce96(n), k);
  } catch {
    return null;
  }
}
