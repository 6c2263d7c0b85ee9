/**
 * `p2p-update create PAYLOAD --uri URI --version N --key K.key [--key K2.key...] [--expires WHEN] [--public] [--no-inline] --out F.torrent`
 * Private (BEP 27) unless --public: peers only from the node's tracker, never DHT/PEX/LPD.
 * A payload of at most 64 KiB travels inline (spec §Inline payload) unless --no-inline.
 * Every --key signs the same facts (a root's update threshold k needs k of them; more
 * can sign later with `p2p-update sign`).
 */
import { stat, writeFile } from 'node:fs/promises';
import { loadSecretKey } from '../agent/lib/crypto/key-files.ts';
import { addSignature } from '../agent/lib/metainfo/cosign.ts';
import { createTorrentPlusPlus } from '../agent/lib/metainfo/create.ts';
import { LIMITS } from '../agent/lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../agent/lib/metainfo/parse.ts';

export interface CreateOptions {
  readonly uri: string;
  readonly version: number;
  /** One or more private keys; each signs. */
  readonly key: readonly string[];
  /** Unix seconds. */
  readonly expires?: number;
  readonly pieceLength?: number;
  readonly name?: string;
  readonly public?: boolean;
  /** false with --no-inline; otherwise a payload within the bound goes inline. */
  readonly inline?: boolean;
  readonly out: string;
}

export async function create(payload: string, o: CreateOptions): Promise<number> {
  const key = await loadSecretKey(o.key[0]!);
  let bytes = await createTorrentPlusPlus(payload, {
    uri: o.uri,
    version: o.version,
    key,
    now: Date.now(),
    private: o.public !== true,
    inline: o.inline !== false && (await smallEnough(payload)),
    ...(o.expires === undefined ? {} : { expires: o.expires }),
    ...(o.pieceLength === undefined ? {} : { pieceLength: o.pieceLength }),
    ...(o.name === undefined ? {} : { name: o.name }),
  });
  for (const path of o.key.slice(1)) bytes = await addSignature(bytes, await loadSecretKey(path));
  await writeFile(o.out, bytes);
  const t = parseTorrentPlusPlus(bytes);
  console.log(
    `wrote ${o.out}: ${o.uri} version ${o.version}, infohash ${t.infoHash}, ${t.info.length} bytes in ${t.info.pieces.length / 20} pieces of ${t.info.pieceLength}, ${t.info.private ? 'private (peers only from the node tracker)' : 'public (DHT/PEX/LPD allowed)'}${t.inline ? ', payload inline' : ''}, signed by ${t.signatures.length} key(s)`,
  );
  return 0;
}

/** Within the inline bound (a missing file is createTorrentPlusPlus's to report). */
async function smallEnough(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => null);
  return st !== null && st.isFile() && st.size <= LIMITS.maxInlineBytes;
}
