/** `p2p-update show FILE.torrent [--json]`: what a torrent-file++ holds (signatures not checked). */
import { readFile } from 'node:fs/promises';
import { parseTorrentPlusPlus } from '../agent/lib/metainfo/parse.ts';
import { parse } from '../agent/lib/cli/args.ts';
import { toJson, toText } from './summary.ts';
import { readInput } from './read-input.ts';

const USAGE = 'p2p-update show FILE.torrent [--json]';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { json: { type: 'boolean' } }, USAGE, [1, 1]);
  const t = parseTorrentPlusPlus(await readInput(p.positionals[0]!, readFile));
  console.log(p.values['json'] ? JSON.stringify(toJson(t), null, 2) : toText(t));
  return 0;
}
