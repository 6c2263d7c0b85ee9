/**
 * `p2p-update create PAYLOAD --uri URI --version N --key K.key [--key K2.key...] [--expires WHEN] [--public] --out F.torrent`
 * Private (BEP 27) unless --public: peers only from the node's tracker, never DHT/PEX/LPD.
 * Every --key signs the same facts (a root's update threshold k needs k of them; more
 * can sign later with `p2p-update sign`).
 */
import { writeFile } from 'node:fs/promises';
import { UsageError } from '../agent/lib/common/errors.ts';
import { loadSecretKey } from '../agent/lib/crypto/key-files.ts';
import { addSignature } from '../agent/lib/metainfo/cosign.ts';
import { createTorrentPlusPlus } from '../agent/lib/metainfo/create.ts';
import { parseTorrentPlusPlus } from '../agent/lib/metainfo/parse.ts';
import { nonNegativeInt, optionalString, parse, parseWhen, required } from '../agent/lib/cli/args.ts';

const USAGE =
  'p2p-update create PAYLOAD --uri URI --version N --key PREFIX.key [--key ...] [--expires WHEN] [--piece-length BYTES] [--name NAME] [--public] --out FILE.torrent';

export async function run(argv: string[]): Promise<number> {
  const p = parse(
    argv,
    {
      uri: { type: 'string' },
      version: { type: 'string' },
      key: { type: 'string', multiple: true },
      expires: { type: 'string' },
      'piece-length': { type: 'string' },
      name: { type: 'string' },
      public: { type: 'boolean' },
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
  const keyPaths = (p.values['key'] as unknown as string[] | undefined) ?? [];
  if (keyPaths.length === 0) throw new UsageError(`--key is required; usage: ${USAGE}`);
  const key = await loadSecretKey(keyPaths[0]!);
  const out = required(p, 'out', USAGE);
  let bytes = await createTorrentPlusPlus(p.positionals[0]!, {
    uri,
    version,
    key,
    now,
    private: p.values['public'] !== true,
    ...(expiresText === undefined ? {} : { expires: parseWhen(expiresText, now) }),
    ...(pieceText === undefined ? {} : { pieceLength: nonNegativeInt(pieceText, 'piece-length') }),
    ...(name === undefined ? {} : { name }),
  });
  for (const path of keyPaths.slice(1)) bytes = await addSignature(bytes, await loadSecretKey(path));
  await writeFile(out, bytes);
  const t = parseTorrentPlusPlus(bytes);
  console.log(
    `wrote ${out}: ${uri} version ${version}, infohash ${t.infoHash}, ${t.info.length} bytes in ${t.info.pieces.length / 20} pieces of ${t.info.pieceLength}, ${t.info.private ? 'private (peers only from the node tracker)' : 'public (DHT/PEX/LPD allowed)'}, signed by ${t.signatures.length} key(s)`,
  );
  return 0;
}
