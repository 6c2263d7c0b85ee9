/** `p2p-update show FILE.torrent [--json]`: what a torrent-file++ holds (signatures not checked). */
import { readFile } from 'node:fs/promises';
import { parseTorrentPlusPlus } from '../agent/lib/metainfo/parse.ts';
import { toJson, toText } from './summary.ts';
import { readInput } from './read-input.ts';

export async function show(file: string, o: { json?: boolean }): Promise<number> {
  const t = parseTorrentPlusPlus(await readInput(file, readFile));
  console.log(o.json ? JSON.stringify(toJson(t), null, 2) : toText(t));
  return 0;
}
