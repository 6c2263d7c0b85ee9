/**
 * The local status endpoint behind `p2p-update natm-stats`: a Unix stream socket; every
 * connection gets one JSON object (counters, peers, rendezvous state) and a newline, then
 * the socket is closed. Nothing is read from the client. Mode 0660.
 */
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import { NatmError } from '../net/errors.ts';

export class StatsServer {
  private server: net.Server | undefined;

  constructor(
    private readonly path: string,
    private readonly stats: () => unknown,
  ) {}

  async start(): Promise<void> {
    if (this.server) return;
    await rm(this.path, { force: true });
    const server = net.createServer((c) => {
      c.on('error', () => {});
      c.end(`${JSON.stringify(this.stats())}\n`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new NatmError('IPC', `cannot listen on ${this.path}: ${err.message}`, { cause: err })),
      );
      server.listen(this.path, resolve);
    });
    await chmod(this.path, 0o660);
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    await rm(this.path, { force: true });
  }
}

/** Client side: read one status object from `path`. */
export async function readStats(path: string, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path);
    let buf = '';
    const t = setTimeout(() => c.destroy(new Error('timed out')), timeoutMs);
    c.setEncoding('utf8');
    c.on('data', (d) => (buf += d));
    c.on('error', (err) => {
      clearTimeout(t);
      reject(
        new NatmError('UNREACHABLE', `no natm/rendezvous status at ${path}: ${err.message}`, { cause: err }),
      );
    });
    c.on('end', () => {
      clearTimeout(t);
      try {
        resolve(JSON.parse(buf));
      } catch (cause) {
        reject(new NatmError('UNREACHABLE', `bad status from ${path}`, { cause }));
      }
    });
  });
}
