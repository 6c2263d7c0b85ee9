/**
 * `p2p-update members [--json] [--socket PATH | --config NATM.json]`: the fleet as this
 * node's natm sees it (status, path, addresses, last seen, versions). Reads natm's status
 * socket (`statsSocket`, which carries the gossip members view) or any socket answering
 * `{"type":"members"}` (docs/protocol/gossip.md §Fleet view).
 */
import { queryMembers } from '../agent/lib/gossip/members-ipc.ts';
import { formatMembers } from '../agent/lib/gossip/members-view.ts';
import { statsSocketPath } from '../agent/lib/daemon/stats-socket-path.ts';
import { parse } from '../agent/lib/cli/args.ts';

const USAGE = 'p2p-update members [--json] [--socket PATH | --config NATM.json]';
export const DEFAULT_NATM_STATS_SOCKET = '/run/p2p-update-natm/natm-stats.sock';

export async function run(argv: string[]): Promise<number> {
  const p = parse(
    argv,
    { json: { type: 'boolean' }, socket: { type: 'string' }, config: { type: 'string' } },
    USAGE,
  );
  const path = await statsSocketPath(p, USAGE);
  const reply = await queryMembers(path ?? DEFAULT_NATM_STATS_SOCKET);
  console.log(
    p.values['json'] ? JSON.stringify(reply.members, null, 2) : formatMembers(reply.members, reply.now),
  );
  return 0;
}
