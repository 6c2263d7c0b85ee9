/**
 * `p2p-update members [--json] [--socket PATH | --config NATM.json]`: the fleet as this
 * node's natm sees it (status, path, addresses, last seen, versions). Reads natm's status
 * socket (`statsSocket`, which carries the gossip members view) or any socket answering
 * `{"type":"members"}` (docs/protocol/gossip.md §Fleet view).
 */
import { PACKAGE_PATHS } from '../agent/lib/common/paths.ts';
import { statsSocketPath } from '../agent/lib/daemon/stats-socket-path.ts';
import { queryMembers } from '../agent/lib/gossip/members-ipc.ts';
import { formatMembers } from '../agent/lib/gossip/members-view.ts';

export async function members(o: { json?: boolean; socket?: string; config?: string }): Promise<number> {
  const path = await statsSocketPath(o);
  const reply = await queryMembers(path ?? PACKAGE_PATHS.natmStatsSocket);
  console.log(o.json ? JSON.stringify(reply.members, null, 2) : formatMembers(reply.members, reply.now));
  return 0;
}
