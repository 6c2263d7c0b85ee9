/**
 * `members` over natm's IPC socket (docs/protocol/ipc.md §members; messages:
 * agent/lib/ipc/contract.ts). Request `{"type":"members"}` (any client; no `hello`
 * needed); reply `{"type":"members","nodeId":..., "now": ms, "members":[MemberView...]}`.
 * The client also accepts natm's stats socket, which writes one status object on connect:
 * if that object has a `members` array (`membersReply(...).members`), it is used.
 * `membersReply` is the server side (natm's IPC server answers with it); `queryMembers` the client.
 */
import { createConnection } from 'node:net';
import { P2PError } from '../common/errors.ts';
import { decodeNatmMessage, encodeLine, type MembersReply } from '../ipc/contract.ts';
import { LineSplitter, parseMessage } from '../ipc/ndjson.ts';
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

export interface MembersAnswer extends MembersReply {
  readonly members: MemberView[];
}

export function membersReply(node: GossipNode, now: number): MembersAnswer {
  return { type: 'members', nodeId: node.selfId, now, members: membersView(node, now) };
}

const MAX_REPLY = 16 * 1024 * 1024;

export function queryMembers(socketPath: string, timeoutMs = 5000): Promise<MembersAnswer> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    const split = new LineSplitter(MAX_REPLY);
    const done = (err: Error | null, reply?: MembersReply) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(reply as MembersAnswer);
    };
    const timer = setTimeout(
      () => done(new IpcError('IPC_TIMEOUT', `no members reply from ${socketPath} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('connect', () => sock.write(encodeLine({ type: 'members' })));
    sock.on('error', (cause) =>
      done(
        new IpcError('IPC_UNAVAILABLE', `cannot reach natm at ${socketPath}: ${cause.message}`, { cause }),
      ),
    );
    sock.on('data', (d: Buffer) => {
      for (const line of split.push(d)) {
        const reply = answerOf(line);
        if (reply instanceof IpcError) return done(reply);
        if (reply) return done(null, reply);
      }
      if (split.dropped > 0) done(new IpcError('IPC_BAD_REPLY', `reply longer than ${MAX_REPLY} bytes`));
    });
    sock.on('end', () =>
      done(new IpcError('IPC_BAD_REPLY', `natm at ${socketPath} closed without a members reply`)),
    );
  });
}

/** A members reply, an error for a broken one, or null for a line that is not ours. */
function answerOf(line: string): MembersReply | IpcError | null {
  const raw = parseMessage(line);
  if (raw?.type === 'members') {
    const m = decodeNatmMessage(raw);
    return m?.type === 'members' ? m : new IpcError('IPC_BAD_REPLY', 'members reply without a members array');
  }
  // natm's stats socket: one status object (no `type`) that embeds `members` (and closes).
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const m = v as {
    members?: unknown;
    nodeId?: unknown;
    id?: unknown;
    now?: unknown;
    connectivity?: unknown;
  } | null;
  if (!m || typeof m !== 'object' || !Array.isArray(m.members)) return null;
  const nodeId = typeof m.nodeId === 'string' ? m.nodeId : typeof m.id === 'string' ? m.id : '';
  const now = typeof m.now === 'number' ? m.now : Date.now();
  const c = m.connectivity;
  const connectivity = c && typeof c === 'object' && !Array.isArray(c) ? { connectivity: c } : {};
  return { type: 'members', nodeId, now, members: m.members as object[], ...connectivity };
}
