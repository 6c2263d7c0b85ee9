/** `p2p-update members [--json] [--socket PATH]`: the fleet as this node's natm sees it. */
import { queryMembers } from '../agent/gossip/members-ipc.ts';
import { formatMembers } from '../agent/gossip/members-view.ts';
import { optionalString, parse } from './cli/args.ts';

const USAGE = 'p2p-update members [--json] [--socket PATH]';
export const DEFAULT_NATM_SOCKET = '/run/p2p-update/natm.sock';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { json: { type: 'boolean' }, socket: { type: 'string' } }, USAGE);
  const reply = await queryMembers(optionalString(p, 'socket') ?? DEFAULT_NATM_SOCKET);
  console.log(
    p.values['json'] ? JSON.stringify(reply.members, null, 2) : formatMembers(reply.members, reply.now),
  );
  return 0;
}
