/**
 * `p2p-update sign FILE.torrent --key K.key... [--out OUT.torrent]`: adds each key's
 * signature to a torrent-file++ (in place unless --out). The infohash does not change, so
 * a second admin can co-sign what a first one created: a root with an update threshold
 * of k takes a torrent only with k distinct update keys' signatures.
 */
import { readFile } from 'node:fs/promises';
import { writeFileDurable } from '../agent/lib/common/durable-file.ts';
import { loadSecretKey } from '../agent/lib/crypto/key-files.ts';
import { addSignature } from '../agent/lib/metainfo/cosign.ts';
import { parseTorrentPlusPlus } from '../agent/lib/metainfo/parse.ts';
import { readInput } from './read-input.ts';

export async function sign(
  file: string,
  o: { readonly key: readonly string[]; readonly out?: string },
): Promise<number> {
  let raw = await readInput(file, readFile);
  for (const path of o.key) raw = await addSignature(raw, await loadSecretKey(path));
  const out = o.out ?? file;
  await writeFileDurable(out, raw, 0o644);
  const t = parseTorrentPlusPlus(raw);
  console.log(
    `wrote ${out}: infohash ${t.infoHash}, signed by ${t.signatures.map((s) => s.signer).join(' ')}`,
  );
  return 0;
}
