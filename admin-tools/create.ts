/**
 * `p2p-update create PAYLOAD --uri URI --version N --key K.key [--key K2.key...] [--expires WHEN] [--public] [--no-inline] [rollout flags] --out F.torrent`
 * Private (BEP 27) unless --public: peers only from the node's tracker, never DHT/PEX/LPD.
 * A payload of at most 64 KiB travels inline (spec §Inline payload) unless --no-inline.
 * Every --key signs the same facts (a root's update threshold k needs k of them; more
 * can sign later with `p2p-update sign`).
 * Rollout flags (rollout-flags.ts) sign a staged-rollout policy into the file.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { UsageError } from '../agent/lib/common/errors.ts';
import { loadSecretKey } from '../agent/lib/crypto/key-files.ts';
import { addSignature } from '../agent/lib/metainfo/cosign.ts';
import { createTorrentPlusPlus } from '../agent/lib/metainfo/create.ts';
import { LIMITS } from '../agent/lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../agent/lib/metainfo/parse.ts';
import { policyFromFlags } from './rollout-flags.ts';
import { rolloutLines } from './rollout-summary.ts';

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
  readonly target?: string;
  readonly waves?: string;
  readonly errorThreshold?: string;
  readonly grace?: string;
  readonly quorum?: string;
  /** A JSON file with the rollout policy (exclusive with the flags above). */
  readonly rollout?: string;
}

/** A rollout JSON file is a few hundred bytes; anything past this is not one. */
const MAX_ROLLOUT_FILE = 16 * 1024;

async function rolloutFile(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--rollout ${path}: cannot read (${e.code ?? e.message})`);
  });
  if (text.length > MAX_ROLLOUT_FILE)
    throw new UsageError(`--rollout ${path}: ${text.length} bytes, the limit is ${MAX_ROLLOUT_FILE}`);
  return text;
}

export async function create(payload: string, o: CreateOptions): Promise<number> {
  const now = Date.now();
  const rolloutJson = await rolloutFile(o.rollout);
  const { target, waves, errorThreshold, grace, quorum } = o;
  const rollout = policyFromFlags({ target, waves, errorThreshold, grace, quorum, rolloutJson }, now);
  const key = await loadSecretKey(o.key[0]!);
  let bytes = await createTorrentPlusPlus(payload, {
    uri: o.uri,
    version: o.version,
    key,
    now,
    private: o.public !== true,
    inline: o.inline !== false && (await smallEnough(payload)),
    ...(o.expires === undefined ? {} : { expires: o.expires }),
    ...(o.pieceLength === undefined ? {} : { pieceLength: o.pieceLength }),
    ...(o.name === undefined ? {} : { name: o.name }),
    ...(rollout === undefined ? {} : { rollout }),
  });
  for (const path of o.key.slice(1)) bytes = await addSignature(bytes, await loadSecretKey(path));
  await writeFile(o.out, bytes);
  const t = parseTorrentPlusPlus(bytes);
  console.log(
    `wrote ${o.out}: ${o.uri} version ${o.version}, infohash ${t.infoHash}, ${t.info.length} bytes in ${t.info.pieces.length / 20} pieces of ${t.info.pieceLength}, ${t.info.private ? 'private (peers only from the node tracker)' : 'public (DHT/PEX/LPD allowed)'}${t.inline ? ', payload inline' : ''}, signed by ${t.signatures.length} key(s)`,
  );
  if (rollout) console.log(rolloutLines(rollout).join('\n'));
  return 0;
}

/** Within the inline bound (a missing file is createTorrentPlusPlus's to report). */
async function smallEnough(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => null);
  return st !== null && st.isFile() && st.size <= LIMITS.maxInlineBytes;
}
