/**
 * A node's own keys in its state dir, made on first use and never overwritten:
 *   node.key  Ed25519 signing key (PKCS#8 PEM, 0600)   node.pub (SPKI PEM)
 *   kx.key    X25519 key-exchange key (PKCS#8 PEM, OID 1.3.101.110, 0600)
 * plus, once enrolled: node.cert, ca.pub, crl.bin.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyError } from '../common/errors.ts';
import { loadSecretKey, writeKeyPair } from '../crypto/key-files.ts';
import type { SecretKey } from '../crypto/keys.ts';
import { membershipReady } from '../membership/na.ts';
import { nodeIdOf } from '../membership/node-id.ts';
import { makeRequest } from '../membership/request.ts';
import type { KeyPair } from '../membership/noise-crypto.ts';

const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');

export interface NodeKeys {
  readonly nodeId: string;
  readonly sign: SecretKey;
  readonly kx: KeyPair;
}

export const statePaths = (dir: string) => ({
  signKey: join(dir, 'node.key'),
  kxKey: join(dir, 'kx.key'),
  cert: join(dir, 'node.cert'),
  caPub: join(dir, 'ca.pub'),
  crl: join(dir, 'crl.bin'),
  enrollment: join(dir, 'enrollment.json'),
  csr: join(dir, 'request.csr'),
});

function kxPem(secret: Uint8Array): string {
  const b64 = Buffer.concat([X25519_PKCS8, secret]).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

async function loadKx(path: string): Promise<KeyPair> {
  const m = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(
    await readFile(path, 'utf8'),
  );
  const der = Buffer.from((m?.[1] ?? '').replace(/\s+/g, ''), 'base64');
  if (der.length !== 48 || !der.subarray(0, 16).equals(X25519_PKCS8))
    throw new KeyError('KEY_FORMAT', `${path}: expected an X25519 PKCS#8 key (48 bytes)`);
  const secretKey = new Uint8Array(der.subarray(16));
  return { secretKey, publicKey: (await membershipReady()).crypto_scalarmult_base(secretKey) };
}

/** Loads the node's keys from `dir`, making any that are missing. */
export async function ensureNodeKeys(dir: string): Promise<NodeKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const p = statePaths(dir);
  if (!existsSync(p.signKey)) await writeKeyPair(join(dir, 'node'));
  if (!existsSync(p.kxKey)) await writeFile(p.kxKey, kxPem(randomBytes(32)), { mode: 0o600, flag: 'wx' });
  const sign = await loadSecretKey(p.signKey);
  return { nodeId: nodeIdOf(sign.publicKey.bytes), sign, kx: await loadKx(p.kxKey) };
}

/** A certificate request for these keys, signed by the node's Ed25519 key (`nowMs`: the node's clock). */
export function requestFor(
  keys: NodeKeys,
  o: { cluster: string; owner: string; nowMs: number },
): Promise<Uint8Array> {
  const fields = { cluster: o.cluster, owner: o.owner, createdAt: Math.floor(o.nowMs / 1000) };
  return makeRequest(
    { ...fields, signKey: keys.sign.publicKey.bytes, kxKey: keys.kx.publicKey },
    keys.sign.sodiumKey,
  );
}
