/** Admin side for tests: a key pair, payload files and signed torrent-file++. */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSecretKey, writeKeyPair } from '../../../agent/lib/crypto/key-files.ts';
import type { SecretKey } from '../../../agent/lib/crypto/keys.ts';
import { createTorrentPlusPlus } from '../../../agent/lib/metainfo/create.ts';
import { parseTorrentPlusPlus } from '../../../agent/lib/metainfo/parse.ts';

export interface Admin {
  readonly pubPath: string;
  readonly key: SecretKey;
}

export async function makeAdmin(dir: string, name = 'admin'): Promise<Admin> {
  const { keyPath, pubPath } = await writeKeyPair(join(dir, name));
  return { pubPath, key: await loadSecretKey(keyPath) };
}

export async function makePayload(dir: string, name: string, bytes: number | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof bytes === 'number' ? randomBytes(bytes) : bytes);
  return path;
}

export interface Signed {
  readonly path: string;
  readonly raw: Uint8Array;
  readonly infoHash: string;
}

export async function sign(
  admin: Admin,
  payload: string,
  out: string,
  o: { uri: string; version: number; expires?: number; inline?: boolean },
): Promise<Signed> {
  const raw = await createTorrentPlusPlus(payload, {
    uri: o.uri,
    version: o.version,
    key: admin.key,
    now: Date.now(),
    pieceLength: 16 * 1024,
    inline: o.inline ?? false,
    ...(o.expires === undefined ? {} : { expires: o.expires }),
  });
  await writeFile(out, raw);
  return { path: out, raw, infoHash: parseTorrentPlusPlus(raw).infoHash };
}
