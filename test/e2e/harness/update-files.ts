/**
 * Test payloads and signed torrent-file++ files made with the project's own library
 * (agent/lib/metainfo), as the admin tools would.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, parseSecretKeyPem, type SecretKey } from '../../../agent/lib/crypto/keys.ts';
import { createTorrentPlusPlus } from '../../../agent/lib/metainfo/create.ts';
import { parseTorrentPlusPlus } from '../../../agent/lib/metainfo/parse.ts';

export interface MadeUpdate {
  readonly payloadPath: string;
  readonly torrentPath: string;
  readonly raw: Uint8Array;
  readonly infoHash: string;
  readonly size: number;
  readonly name: string;
}

export async function newAdminKey(): Promise<{ key: SecretKey; publicPem: string; secretPem: string }> {
  const kp = await generateKeyPair();
  return { key: await parseSecretKeyPem(kp.secretPem), publicPem: kp.publicPem, secretPem: kp.secretPem };
}

/** A random payload of `size` bytes and its signed torrent-file++, both in `dir`. */
export async function makeUpdate(
  dir: string,
  opts: { name: string; size: number; uri: string; version: number; key: SecretKey; private?: boolean },
): Promise<MadeUpdate> {
  const payloadPath = join(dir, opts.name);
  writeFileSync(payloadPath, randomBytes(opts.size));
  const raw = await createTorrentPlusPlus(payloadPath, {
    uri: opts.uri,
    version: opts.version,
    key: opts.key,
    now: Date.now(),
    ...(opts.private === undefined ? {} : { private: opts.private }),
  });
  const torrentPath = join(dir, `${opts.name}.torrent`);
  writeFileSync(torrentPath, raw);
  const t = parseTorrentPlusPlus(raw);
  return { payloadPath, torrentPath, raw, infoHash: t.infoHash, size: opts.size, name: opts.name };
}
