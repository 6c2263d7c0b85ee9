/** `p2p-update natm-stats (--socket PATH | --config FILE)`: print a natm or rendezvous status as JSON. */
import { parse, optionalString } from '../../admin-tools/cli/args.ts';
import { UsageError } from '../common/errors.ts';
import { readJson } from './config-check.ts';
import { readStats } from './stats-server.ts';

const USAGE = 'p2p-update natm-stats (--socket PATH | --config FILE)';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { socket: { type: 'string' }, config: { type: 'string' } }, USAGE);
  let path = optionalString(p, 'socket');
  const config = optionalString(p, 'config');
  if (!path && config) {
    const s = (await readJson(config)).statsSocket;
    if (typeof s !== 'string') throw new UsageError(`${config} has no "statsSocket"; usage: ${USAGE}`);
    path = s;
  }
  if (!path) throw new UsageError(`usage: ${USAGE}`);
  process.stdout.write(`${JSON.stringify(await readStats(path), null, 2)}\n`);
  return 0;
}
