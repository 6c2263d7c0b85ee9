/**
 * The executor's socket side (docs/protocol/executor.md): one request line per
 * connection, one response line, then the connection is closed. Bounded: at most
 * `maxConnections` at once (one more is answered BUSY and closed), a request line of at
 * most MAX_REQUEST_BYTES (more is answered TOO_LARGE_REQUEST without being buffered),
 * delivered within `requestTimeoutMs`; anything after the first line is ignored.
 * A client that goes away does not stop its deploy: the outcome is recorded all the same.
 */
import type { Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import type { Logger } from '../lib/common/logger.ts';
import { decodeRequest, encodeLine } from '../lib/ipc/executor-codec.ts';
import { MAX_REQUEST_BYTES, type ExecutorResponse, type RefusalCode } from '../lib/ipc/executor-protocol.ts';
import type { RequestHandler } from './handler.ts';

const DRAIN_MS = 1000;

export interface ServerLimits {
  readonly maxConnections: number;
  readonly requestTimeoutMs: number;
}

export class ExecutorServer {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private active = 0;
  lastActivity = Date.now();

  constructor(
    private readonly c: { handler: RequestHandler; log: Logger },
    private readonly limits: ServerLimits,
  ) {
    // Half-open: a client may end its side after the request and still read the answer.
    this.server = createServer({ allowHalfOpen: true }, (s) => this.accept(s));
  }

  /** Connections being served now. */
  get connections(): number {
    return this.active;
  }

  private accept(s: Socket): void {
    this.lastActivity = Date.now();
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
    if (this.active >= this.limits.maxConnections) {
      this.c.log.warn({ code: 'BUSY', active: this.active }, 'request refused');
      return this.answer(s, {
        type: 'refused',
        code: 'BUSY',
        reason: `${this.active} connections are served already`,
      });
    }
    this.active++;
    s.once('close', () => {
      this.active--;
      this.lastActivity = Date.now();
    });
    const timer = setTimeout(
      () => this.refuse(s, 'BAD_REQUEST', `no request line within ${this.limits.requestTimeoutMs} ms`),
      this.limits.requestTimeoutMs,
    );
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      const nl = chunk.indexOf(10);
      const piece = nl < 0 ? chunk : chunk.subarray(0, nl);
      size += piece.length;
      if (size > MAX_REQUEST_BYTES || nl >= 0) {
        clearTimeout(timer);
        s.off('data', onData);
        s.pause();
      }
      if (size > MAX_REQUEST_BYTES)
        return this.refuse(
          s,
          'TOO_LARGE_REQUEST',
          `the request line is longer than ${MAX_REQUEST_BYTES} bytes`,
        );
      parts.push(piece);
      if (nl >= 0) void this.serve(s, Buffer.concat(parts).toString('utf8'));
    };
    s.on('data', onData);
    s.once('end', () => {
      clearTimeout(timer);
      if (s.listenerCount('data') > 0) s.destroy();
    });
  }

  private async serve(s: Socket, line: string): Promise<void> {
    const d = decodeRequest(line);
    if (!d.ok) return this.refuse(s, d.code, d.reason);
    try {
      this.answer(s, await this.c.handler.handle(d.request));
    } catch (e) {
      this.c.log.error({ err: (e as Error).message }, 'request failed');
      this.answer(s, {
        type: 'refused',
        code: 'RECORD_IO',
        reason: `internal error: ${(e as Error).message}`,
      });
    }
  }

  private refuse(s: Socket, code: RefusalCode, reason: string): void {
    this.c.log.warn({ code, reason }, 'request refused');
    this.answer(s, { type: 'refused', code, reason });
  }

  /**
   * Writes the answer and ends. What the client still sends is read and dropped (closing
   * on unread bytes would reset the connection and could lose the answer on its side),
   * for at most DRAIN_MS; then the connection is destroyed.
   */
  private answer(s: Socket, r: ExecutorResponse): void {
    this.lastActivity = Date.now();
    if (!s.writable) return void s.destroy();
    s.removeAllListeners('data');
    s.on('data', () => undefined);
    s.resume();
    const t = setTimeout(() => s.destroy(), DRAIN_MS);
    s.once('close', () => clearTimeout(t));
    s.end(encodeLine(r));
  }

  /** Stops accepting and closes every connection (a running deploy still finishes). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
