/**
 * `p2p-update create PAYLOAD --uri URI --version N --key K.key [--expires WHEN] [--public] [rollout flags] --out F.torrent`
 * Private (BEP 27) unless --public: peers only from the node's tracker, never DHT/PEX/LPD.
 * Rollout flags (rollout-flags.ts) sign a staged-rollout policy into the file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { UsageError } from '../agent/lib/common/errors.ts';
import { loadSecretKey } from '../agent/lib/crypto/key-files.ts';
import { createTorrentPlusPlus } from '../agent/lib/metainfo/create.ts';
import { parseTorrentPlusPlus } from '../agent/lib/metainfo/parse.ts';
import { nonNegativeInt, optionalString, parse, parseWhen, required } from '../agent/lib/cli/args.ts';
import { policyFromFlags } from './rollout-flags.ts';
import { rolloutLines } from './rollout-summary.ts';

const USAGE =
  'p2p-update create PAYLOAD --uri URI --version N --key PREFIX.key [--expires WHEN] [--piece-length BYTES] [--name NAME] [--public] [--target SELECTOR] [--waves F@START[:GATE],...] [--error-threshold R] [--grace DURATION] [--quorum R] [--rollout FILE.json] --out FILE.torrent';
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

export async function run(argv: string[]): Promise<number> {
  const p = parse(
    argv,
    {
      uri: { type: 'string' },
      version: { type: 'string' },
      key: { type: 'string' },
      expires: { type: 'string' },
      'piece-length': { type: 'string' },
      name: { type: 'string' },
      public: { type: 'boolean' },
      target: { type: 'string' },
      waves: { type: 'string' },
      'error-threshold': { type: 'string' },
      grace: { type: 'string' },
      quorum: { type: 'string' },
      rollout: { type: 'string' },
      out: { type: 'string' },
    },
    USAGE,
    [1, 1],
  );
  const uri = required(p, 'uri', USAGE);
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri))
    throw new UsageError(`--uri must look like scheme:resource (app:/opt/demo), got "${uri}"`);
  const version = nonNegativeInt(required(p, 'version', USAGE), 'version');
  const now = Date.now();
  const expiresText = optionalString(p, 'expires');
  const pieceText = optionalString(p, 'piece-length');
  const name = optionalString(p, 'name');
  const rolloutJson = await rolloutFile(optionalString(p, 'rollout'));
  const rollout = policyFromFlags(
    {
      target: optionalString(p, 'target'),
      waves: optionalString(p, 'waves'),
      errorThreshold: optionalString(p, 'error-threshold'),
      grace: optionalString(p, 'grace'),
      quorum: optionalString(p, 'quorum'),
      rolloutJson,
    },
    now,
  );
  const key = await loadSecretKey(required(p, 'key', USAGE));
  const out = required(p, 'out', USAGE);
  const bytes = await createTorrentPlusPlus(p.positionals[0]!, {
    uri,
    version,
    key,
    now,
    private: p.values['public'] !== true,
    ...(expiresText === undefined ? {} : { expires: parseWhen(expiresText, now) }),
    ...(pieceText === undefined ? {} : { pieceLength: nonNegativeInt(pieceText, 'piece-length') }),
    ...(name === undefined ? {} : { name }),
    ...(rollout === undefined ? {} : { rollout }),
  });
  await writeFile(out, bytes);
  const t = parseTorrentPlusPlus(bytes);
  console.log(
    `wrote ${out}: ${uri} version ${version}, infohash ${t.infoHash}, ${t.info.length} bytes in ${t.info.pieces.length / 20} pieces of ${t.info.pieceLength}, ${t.info.private ? 'private (peers only from the node tracker)' : 'public (DHT/PEX/LPD allowed)'}`,
  );
  if (rollout) console.log(rolloutLines(rollout).join('\n'));
  return 0;
}
