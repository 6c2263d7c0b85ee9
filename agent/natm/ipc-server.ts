/**
 * natm's side of the manager IPC (docs/protocol/ipc.md): a Unix stream socket, NDJSON,
 * lines ≤ 4 MiB, messages checked by the one contract module (agent/lib/ipc/contract.ts).
 * Answers `hello` with `hello-ack` and `members` with the fleet view itself; every other
 * valid manager message is emitted as a typed event (`hello`, `relay`, `verdict`, `have`,
 * `state`) for the gossip layer to wire up. The newest client that said `hello` is the manager; `send`
 * writes to it. Bad frames are dropped and counted (`ipc_bad_frames`); the connection stays.
 */
import { EventEmitter } from 'node:events';
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import type { Logger } from '../lib/common/logger.ts';
import type { Counters } from '../lib/net/counters.ts';
import { NatmError } from '../lib/net/errors.ts';
import {
  decodeManagerMessage,
  encodeLine,
  type ManagerMessage,
  type MembersReply,
  type MessageOf,
  type NatmMessage,
} from '../lib/ipc/contract.ts';
import { LineSplitter, MAX_LINE_BYTES, parseMessage } from '../lib/ipc/ndjson.ts';

type Of<T extends ManagerMessage['type']> = MessageOf<ManagerMessage, T>;
export interface IpcEvents {
  hello: [Of<'hello'>];
  relay: [Of<'relay'>];
  verdict: [Of<'verdict'>];
  have: [Of<'have'>];
  state: [Of<'state'>];
}

export class IpcServer extends EventEmitter<IpcEvents> {
  private server: net.Server | undefined;
  private manager: net.Socket | undefined;
  private readonly conns = new Set<net.Socket>();
  private members: (() => MembersReply) | undefined;

  constructor(
    private readonly c: { logger: Logger; counters: Counters },
    private readonly init: { path: string; nodeId: string; maxLine?: number },
  ) {
    super();
  }

  async start(): Promise<void> {
    if (this.server) return;
    await rm(this.init.path, { force: true });
    const server = net.createServer((sock) => this.accept(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new NatmError('IPC', `cannot listen on ${this.init.path}: ${err.message}`, { cause: err })),
      );
      server.listen(this.init.path, resolve);
    });
    await chmod(this.init.path, 0o660);
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const c of this.conns) c.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    await rm(this.init.path, { force: true });
  }

  /** Answer `members` requests (from any client) with this view of the fleet. */
  serveMembers(members: () => MembersReply): void {
    this.members = members;
  }

  /** Send to the current manager; false if none is connected. */
  send(msg: NatmMessage): boolean {
    const m = this.manager;
    if (!m || m.destroyed) return false;
    m.write(encodeLine(msg));
    return true;
  }

  private accept(sock: net.Socket): void {
    this.conns.add(sock);
    const split = new LineSplitter(this.init.maxLine ?? MAX_LINE_BYTES);
    sock.on('error', (err) => this.c.logger.debug({ err }, 'ipc connection error'));
    sock.on('close', () => {
      this.conns.delete(sock);
      if (this.manager === sock) this.manager = undefined;
    });
    sock.on('data', (chunk: Buffer) => {
      for (const line of split.push(chunk)) this.line(sock, line);
      for (; split.dropped > 0; split.dropped--) this.bad('line too long');
    });
  }

  private line(sock: net.Socket, line: string): void {
    const m = decodeManagerMessage(parseMessage(line));
    if (!m) return this.bad('unknown or malformed message');
    this.c.counters.inc(`ipc_rx_${m.type}`);
    if (m.type === 'members') {
      if (this.members) sock.write(encodeLine(this.members()));
      return;
    }
    if (m.type === 'hello') {
      this.manager = sock;
      sock.write(encodeLine({ type: 'hello-ack', nodeId: this.init.nodeId }));
    }
    try {
      (this.emit as (e: string, m: ManagerMessage) => boolean)(m.type, m);
    } catch (err) {
      this.c.counters.inc('ipc_handler_error');
      this.c.logger.warn({ err, type: m.type }, 'ipc handler threw');
    }
  }

  private bad(reason: string): void {
    this.c.counters.inc('ipc_bad_frames');
    this.c.logger.debug({ reason }, 'ipc frame dropped');
  }
}
