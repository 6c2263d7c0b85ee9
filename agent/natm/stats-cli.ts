/**
 * `p2p-update natm-stats (--socket PATH | --config FILE) [--json]`: print a natm or
 * rendezvous status. It is JSON either way (the status is a nested object of counters);
 * --json is accepted so that every command printing state takes it.
 */
import { UsageError } from '../lib/common/errors.ts';
import { statsSocketPath } from '../lib/daemon/stats-socket-path.ts';
import { readStats } from '../lib/daemon/stats-server.ts';

export async function natmStats(o: { socket?: string; config?: string; json?: boolean }): Promise<number> {
  const path = await statsSocketPath(o);
  if (!path) throw new UsageError('--socket or --config is required');
  process.stdout.write(`${JSON.stringify(await readStats(path), null, 2)}\n`);
  return 0;
}
