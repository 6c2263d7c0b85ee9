/** Test fixtures for torrent-file++: keys in memory, payloads in a temp dir, torrents built with the real code. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateKeyPair,
  parsePublicKeyPem,
  parseSecretKeyPem,
  type PublicKey,
  type SecretKey,
} from '../../agent/lib/crypto/keys.ts';
import { createTorrentPlusPlus, type CreateOptions } from '../../agent/lib/metainfo/create.ts';

export interface Admin {
  secret: SecretKey;
  pub: PublicKey;
  secretPem: string;
  publicPem: string;
}

export async function makeAdmin(): Promise<Admin> {
  const kp = await generateKeyPair();
  return { secret: await parseSecretKeyPem(kp.secretPem), pub: parsePublicKeyPem(kp.publicPem), ...kp };
}

export async function tempDir(
  prefix = 'p2pu-test-',
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Deterministic bytes for a payload: same seed, same content. */
export function payloadBytes(length: number, seed = 1): Buffer {
  const b = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

export async function makeTorrent(
  dir: string,
  admin: Admin,
  opts: Partial<Omit<CreateOptions, 'key'>> & { payload?: Buffer; file?: string } = {},
): Promise<{ bytes: Uint8Array; payloadPath: string }> {
  const payloadPath = join(dir, opts.file ?? 'payload.bin');
  await writeFile(payloadPath, opts.payload ?? payloadBytes(100_000));
  const bytes = await createTorrentPlusPlus(payloadPath, {
    uri: opts.uri ?? 'app:/opt/demo',
    version: opts.version ?? 1,
    key: admin.secret,
    now: opts.now ?? Date.now(),
    ...(opts.expires === undefined ? {} : { expires: opts.expires }),
    ...(opts.pieceLength === undefined ? {} : { pieceLength: opts.pieceLength }),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.inline === undefined ? {} : { inline: opts.inline }),
  });
  return { bytes, payloadPath };
}
