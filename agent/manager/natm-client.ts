/**
 * The manager's side of the natm IPC (docs/protocol/ipc.md; messages:
 * agent/lib/ipc/contract.ts): a Unix-socket client that reconnects with backoff (0.5 s
 * doubling to 10 s), says hello and re-announces every current torrent on each connect,
 * and hands inbound messages to the manager. A hello sent before the daemon told its
 * BitTorrent port carries `btPort: null`; the client asks again (5 s doubling to 60 s) and
 * says hello once more when it knows. Sends never block: while disconnected they are
 * dropped (hello re-sends what matters), and a peer that stops reading gets nothing more
 * once 8 MiB are queued.
 */
import { createConnection, type Socket } from 'node:net';
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import {
  decodeNatmMessage,
  encodeLine,
  IPC_LIMITS,
  type ManagerMessage,
  type NatmMessage,
  type NodeState,
} from '../lib/ipc/contract.ts';
import { LineSplitter, parseMessage } from '../lib/ipc/ndjson.ts';
import type { NatmPort } from './ports.ts';
import type { UpdateCondition } from '../lib/gossip/health.ts';

export interface NatmComponents {
  readonly clock: Clock;
  readonly log: Logger;
  /** Called on every connect, after hello: send relays etc. */
  readonly onConnect: (client: NatmClient) => Promise<void>;
  readonly onMessage: (m: NatmMessage) => void;
  readonly stateMessage: () => NodeState & { readonly conditions?: readonly UpdateCondition[] };
  readonly btPort: () => Promise<number | null>;
}

const MAX_QUEUED_BYTES = 8 << 20;
/** First wait before asking the daemon for its peer port again; doubles up to PORT_RETRY_MAX_MS. */
export const PORT_RETRY_MS = 5000;
const PORT_RETRY_MAX_MS = 60_000;

export class NatmClient implements NatmPort {
  private socket: Socket | null = null;
  private timer: Timer | null = null;
  private portTimer: Timer | null = null;
  private backoffMs = 500;
  private running = false;
  badFrames = 0;
  dropped = 0;

  constructor(
    private readonly c: NatmComponents,
    private readonly init: { path: string; agentVersion: string; tags?: string },
  ) {}

  get connected(): boolean {
    return this.socket !== null && !this.socket.connecting;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    this.portTimer?.cancel();
    this.portTimer = null;
    const s = this.socket;
    this.socket = null;
    if (s && !s.destroyed) await new Promise<void>((resolve) => s.once('close', () => resolve()).destroy());
  }

  relay(m: { id: string; uri: string; version: number; infoHash: string; torrent: Uint8Array }): void {
    const { id, uri, version, infoHash, torrent } = m;
    this.send({ type: 'relay', id, uri, version, infoHash, torrent });
  }
  verdict(m: { id: string; code: string; reason: string }): void {
    const reason = m.reason.slice(0, IPC_LIMITS.maxReason);
    this.send({ type: 'verdict', id: m.id, accepted: false, code: m.code, reason });
  }
  have(infoHash: string, complete: boolean): void {
    this.send({ type: 'have', infoHash, complete });
  }
  state(): void {
    this.send({ type: 'state', ...this.c.stateMessage() });
  }
  /** Asks for the fleet view; the reply comes to onMessage (`members`). */
  members(): void {
    this.send({ type: 'members' });
  }

  private hello(btPort: number | null): ManagerMessage {
    const { agentVersion, tags } = this.init;
    return { type: 'hello', agentVersion, btPort, ...(tags ? { tags } : {}) };
  }

  private send(m: ManagerMessage): void {
    const s = this.socket;
    if (!s || s.connecting || s.destroyed) return;
    if (s.writableLength > MAX_QUEUED_BYTES) {
      this.dropped++;
      return;
    }
    s.write(encodeLine(m));
  }

  private connect(): void {
    if (!this.running) return;
    const s = createConnection(this.init.path);
    const split = new LineSplitter();
    this.socket = s;
    s.on('connect', () => void this.greet());
    s.on('data', (chunk: Buffer) => {
      for (const line of split.push(chunk)) this.receive(line);
      this.badFrames += split.dropped;
      split.dropped = 0;
    });
    s.on('error', (e) => this.c.log.debug({ err: e.message, path: this.init.path }, 'natm socket error'));
    s.on('close', () => {
      if (this.socket === s) this.socket = null;
      this.portTimer?.cancel();
      this.portTimer = null;
      if (!this.running) return;
      this.timer = this.c.clock.setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(10_000, this.backoffMs * 2);
    });
  }

  private async greet(): Promise<void> {
    this.backoffMs = 500;
    const btPort = await this.c.btPort().catch(() => null);
    this.send(this.hello(btPort));
    if (btPort === null) this.askPortLater(this.socket, PORT_RETRY_MS);
    this.c.log.info({ path: this.init.path, btPort }, 'natm connected');
    await this.c
      .onConnect(this)
      .catch((e: unknown) => this.c.log.warn({ err: String(e) }, 'natm resync failed'));
    this.state();
  }

  /** The hello went out without a peer port: ask the daemon again, and say hello again once known. */
  private askPortLater(sock: Socket | null, waitMs: number): void {
    this.portTimer = this.c.clock.setTimeout(async () => {
      this.portTimer = null;
      const btPort = await this.c.btPort().catch(() => null);
      if (this.socket !== sock || !this.running) return;
      if (btPort === null) return this.askPortLater(sock, Math.min(PORT_RETRY_MAX_MS, waitMs * 2));
      this.send(this.hello(btPort));
      this.c.log.info({ btPort }, 'natm told the BitTorrent port');
    }, waitMs);
  }

  private receive(line: string): void {
    const raw = parseMessage(line);
    const m = raw === null ? null : decodeNatmMessage(raw);
    if (m === null) {
      this.badFrames++;
      this.c.log.debug({ reason: 'bad frame', type: raw?.type }, 'natm message dropped');
      return;
    }
    this.c.onMessage(m);
  }
}
