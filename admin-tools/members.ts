/**
 * `p2p-update members [--json] [--socket PATH | --config NATM.json] [--enrolled CA_DIR]`: the
 * fleet as this node's natm sees it (status, path, addresses, last seen, connectivity, clock
 * offset, versions). Reads natm's status socket (`statsSocket`, which carries the gossip
 * members view) or any socket answering `{"type":"members"}` (docs/protocol/gossip.md
 * §Fleet view). With --enrolled, every node enrolled at that CA (not revoked) that natm has
 * never heard from is listed too, as `unheard`: the nodes that are missing.
 */
import { PACKAGE_PATHS } from '../agent/lib/common/paths.ts';
import { CaStore } from '../agent/lib/ca/ca-store.ts';
import { statsSocketPath } from '../agent/lib/daemon/stats-socket-path.ts';
import { queryMembers } from '../agent/lib/gossip/members-ipc.ts';
import { formatMembers, sortById, unheardRow, type MemberView } from '../agent/lib/gossip/members-view.ts';

export async function members(o: {
  json?: boolean;
  socket?: string;
  config?: string;
  enrolled?: string;
}): Promise<number> {
  const path = await statsSocketPath(o);
  const reply = await queryMembers(path ?? PACKAGE_PATHS.natmStatsSocket);
  const rows = [...(reply.members as MemberView[])];
  if (o.enrolled) {
    const known = new Set(rows.map((r) => r.id));
    for (const id of await CaStore.enrolled(o.enrolled)) if (!known.has(id)) rows.push(unheardRow(id));
    sortById(rows);
  }
  console.log(o.json ? JSON.stringify(rows, null, 2) : formatMembers(rows, reply.now));
  return 0;
}
