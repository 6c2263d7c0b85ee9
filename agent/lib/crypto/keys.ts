/**
 * Ed25519 admin keys (libsodium), stored as standard PEM so that OpenSSL and any other
 * tool reads them: the private key as PKCS#8 ("PRIVATE KEY", holding the 32-byte seed),
 * the public key as SubjectPublicKeyInfo ("PUBLIC KEY"). The key id is the first 8 bytes
 * of SHA-256(public key), in hex: it names the signer in a torrent-file++.
 */
import { createHash } from 'node:crypto';
import { KeyError } from '../common/errors.ts';
import { sodium } from './sodium.ts';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface PublicKey {
  readonly keyId: string;
  readonly bytes: Uint8Array; // 32 bytes
}

export interface SecretKey {
  readonly publicKey: PublicKey;
  /** libsodium's 64-byte secret key (seed ‖ public key). */
  readonly sodiumKey: Uint8Array;
}

export function keyIdOf(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

function fromPem(label: string, text: string, what: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  if (!m?.[1]) throw new KeyError('KEY_FORMAT', `${what}: expected a PEM "${label}" block, found none`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

export function encodePublicKeyPem(pub: Uint8Array): string {
  return toPem('PUBLIC KEY', Buffer.concat([SPKI_PREFIX, pub]));
}

export function encodeSecretKeyPem(seed: Uint8Array): string {
  return toPem('PRIVATE KEY', Buffer.concat([PKCS8_PREFIX, seed]));
}

export function parsePublicKeyPem(text: string, what = 'public key'): PublicKey {
  const der = fromPem('PUBLIC KEY', text, what);
  if (der.length !== 44 || !der.subarray(0, 12).equals(SPKI_PREFIX)) {
    throw new KeyError(
      'KEY_FORMAT',
      `${what}: expected an Ed25519 SubjectPublicKeyInfo (44 bytes), found ${der.length} bytes`,
    );
  }
  const bytes = new Uint8Array(der.subarray(12));
  return { keyId: keyIdOf(bytes), bytes };
}

export async function parseSecretKeyPem(text: string, what = 'private key'): Promise<SecretKey> {
  const der = fromPem('PRIVATE KEY', text, what);
  if (der.length !== 48 || !der.subarray(0, 16).equals(PKCS8_PREFIX)) {
    throw new KeyError(
      'KEY_FORMAT',
      `${what}: expected an Ed25519 PKCS#8 key (48 bytes), found ${der.length} bytes`,
    );
  }
  const na = await sodium();
  const kp = na.crypto_sign_seed_keypair(new Uint8Array(der.subarray(16)));
  return { publicKey: { keyId: keyIdOf(kp.publicKey), bytes: kp.publicKey }, sodiumKey: kp.privateKey };
}

export async function generateKeyPair(): Promise<{ secretPem: string; publicPem: string; keyId: string }> {
  const na = await sodium();
  const seed = na.randombytes_buf(32);
  const kp = na.crypto_sign_seed_keypair(seed);
  return {
    secretPem: encodeSecretKeyPem(seed),
    publicPem: encodePublicKeyPem(kp.publicKey),
    keyId: keyIdOf(kp.publicKey),
  };
}
