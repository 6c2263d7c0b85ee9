/**
 * `p2p-update verify FILE.torrent --pub PREFIX.pub [--pub ...] [--payload PAYLOAD]`
 * Exit 0 with a summary, or exit 1 with `error CODE: explanation`.
 */
import { readFile } from 'node:fs/promises';
import { loadPublicKey } from '../agent/lib/crypto/key-files.ts';
import { checkPayload } from '../agent/lib/metainfo/payload.ts';
import { verifyTorrentPlusPlus } from '../agent/lib/metainfo/verify.ts';
import { UsageError } from '../agent/lib/common/errors.ts';
import { optionalString, parse } from '../agent/lib/cli/args.ts';
import { readInput } from './read-input.ts';

const USAGE = 'p2p-update verify FILE.torrent --pub PREFIX.pub [--payload PAYLOAD] [--json]';

export async function run(argv: string[]): Promise<number> {
  const p = parse(
    argv,
    { pub: { type: 'string', multiple: true }, payload: { type: 'string' }, json: { type: 'boolean' } },
    USAGE,
    [1, 1],
  );
  const pubs = (p.values['pub'] as unknown as string[] | undefined) ?? [];
  if (pubs.length === 0) throw new UsageError(`--pub is required; usage: ${USAGE}`);
  const trusted = await Promise.all(pubs.map(loadPublicKey));
  const raw = await readInput(p.positionals[0]!, readFile);
  const u = await verifyTorrentPlusPlus(raw, { trusted, now: Date.now() });
  const payload = optionalString(p, 'payload');
  if (payload !== undefined) await checkPayload(payload, u);
  const expires = u.expires === undefined ? 'never' : new Date(u.expires * 1000).toISOString();
  if (p.values['json']) {
    console.log(
      JSON.stringify({
        ok: true,
        uri: u.uri,
        version: u.version,
        infoHash: u.infoHash,
        expires,
        signer: u.kid,
        payloadChecked: payload !== undefined,
      }),
    );
  } else {
    console.log(
      [
        `ok: signature by ${u.kid} is valid${payload === undefined ? '' : '; payload length and SHA-256 match'}`,
        `uri:      ${u.uri}`,
        `version:  ${u.version}`,
        `infohash: ${u.infoHash}`,
        `expires:  ${expires}`,
      ].join('\n'),
    );
  }
  return 0;
}
