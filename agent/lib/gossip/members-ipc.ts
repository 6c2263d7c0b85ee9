/**
 * `members` over natm's IPC socket (docs/protocol/ipc.md framing: NDJSON, one object per
 * line). Request `{"type":"members"}` (any client; no `hello` needed); reply
 * `{"type":"members","nodeId":..., "now": ms, "members":[MemberView...]}`. The client also
 * accepts natm's stats socket, which writes one status object on connect: if that object
 * has a `members` array (`membersReply(...).members`), it is used.
 * `membersReply` is the server side (natm's IPC server calls it); `queryMembers` the client.
 */
import { createConnection } from 'node:net';
import { P2PError } from '../common/errors.ts';
import type { GossipNode } from './gossip-node.ts';
import { membersView, type MemberView } from './members-view.ts';

export class IpcError extends P2PError {
  constructor(
    readonly code: 'IPC_UNAVAILABLE' | 'IPC_TIMEOUT' | 'IPC_BAD_REPLY',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface MembersReply {
  type: 'members';
  nodeId: string;
  now: number;
  members: MemberView[];
}

export function membersReply(node: GossipNode, now: number): MembersReply {
  return { type: 'members', nodeId: node.selfId, now, members: membersView(node, now) };
}

const MAX_REPLY = 16 * 1024 * 1024;

export function queryMembers(socketPath: string, timeoutMs = 5000): Promise<MembersReply> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    let buf = '';
    const done = (err: Error | null, reply?: MembersReply) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(
      () => done(new IpcError('IPC_TIMEOUT', `no members reply from ${socketPath} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('connect', () => sock.write(`${JSON.stringify({ type: 'members' })}\n`));
    sock.on('error', (cause) =>
      done(
        new IpcError('IPC_UNAVAILABLE', `cannot reach natm at ${socketPath}: ${cause.message}`, { cause }),
      ),
    );
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      if (buf.length > MAX_REPLY)
        return done(new IpcError('IPC_BAD_REPLY', `reply longer than ${MAX_REPLY} bytes`));
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg: unknown;
        try {
          msg = JSON.parse(line);
        } catch {
          continue; // not ours
        }
        const m = msg as Partial<MembersReply> & { id?: unknown };
        if (m && m.type === 'members') {
          if (!Array.isArray(m.members) || typeof m.nodeId !== 'string')
            return done(new IpcError('IPC_BAD_REPLY', 'members reply without a members array'));
          return done(null, m as MembersReply);
        }
        // natm's stats socket: one status object that embeds `members` (and closes).
        if (m && typeof m === 'object' && Array.isArray(m.members)) {
          const nodeId = typeof m.nodeId === 'string' ? m.nodeId : typeof m.id === 'string' ? m.id : '';
          const now = typeof m.now === 'number' ? m.now : Date.now();
          return done(null, { type: 'members', nodeId, now, members: m.members });
        }
      }
    });
    sock.on('end', () =>
      done(new IpcError('IPC_BAD_REPLY', `natm at ${socketPath} closed without a members reply`)),
    );
  });
}
