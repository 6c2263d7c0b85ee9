/**
 * `p2p-update verify FILE.torrent --pub PREFIX.pub [--pub ...] [--payload PAYLOAD]`
 * Exit 0 with a summary, or exit 1 with `error CODE: explanation`.
 */
import { readFile } from 'node:fs/promises';
import { loadPublicKey } from '../agent/lib/crypto/key-files.ts';
import { checkPayload } from '../agent/lib/metainfo/payload.ts';
import { verifyTorrentPlusPlus } from '../agent/lib/metainfo/verify.ts';
import { readInput } from './read-input.ts';

export async function verify(
  file: string,
  o: { pub: readonly string[]; payload?: string; json?: boolean },
): Promise<number> {
  const trusted = await Promise.all(o.pub.map(loadPublicKey));
  const raw = await readInput(file, readFile);
  const u = await verifyTorrentPlusPlus(raw, { trusted, now: Date.now() });
  const payload = o.payload;
  if (payload !== undefined) await checkPayload(payload, u);
  const expires = u.expires === undefined ? 'never' : new Date(u.expires * 1000).toISOString();
  if (o.json) {
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
