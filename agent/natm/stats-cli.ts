/** `p2p-update natm-stats (--socket PATH | --config FILE)`: print a natm or rendezvous status as JSON. */
import { optionalString, parse } from '../lib/cli/args.ts';
import { UsageError } from '../lib/common/errors.ts';
import { statsSocketPath } from '../lib/daemon/stats-socket-path.ts';
import { readStats } from '../lib/daemon/stats-server.ts';

const USAGE = 'p2p-update natm-stats (--socket PATH | --config FILE)';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { socket: { type: 'string' }, config: { type: 'string' } }, USAGE);
  const path = await statsSocketPath({
    socket: optionalString(p, 'socket'),
    config: optionalString(p, 'config'),
  });
  if (!path) throw new UsageError(`usage: ${USAGE}`);
  process.stdout.write(`${JSON.stringify(await readStats(path), null, 2)}\n`);
  return 0;
}
