/**
 * The rendezvous' DatagramSocket with the stream fallback: its UDP socket plus TCP and TLS
 * listeners (stream-listener.ts). A datagram to an address that has a stream goes over the
 * stream, anything else over UDP; frames arrive as datagrams from the stream's remote
 * address. So the server (sessions, proofs, rate limits, relay) is the same code for both.
 * (A UDP source with the very address and port of a live stream is answered over the stream.)
 */
import net from 'node:net';
import tls from 'node:tls';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import type { Counters } from '../lib/net/counters.ts';
import type { DatagramSocket, Endpoint } from '../lib/net/datagram.ts';
import { NatmError } from '../lib/net/errors.ts';
import { StreamListener, type StreamLimits } from './stream-listener.ts';

export interface StreamListen {
  readonly tcp?: Endpoint;
  readonly tls?: { readonly listen: Endpoint; readonly certFile: string; readonly keyFile: string };
}

export class StreamSocket implements DatagramSocket {
  private handler: (data: Uint8Array, from: Endpoint) => void = () => {};
  private readonly listener: StreamListener;
  private readonly servers: net.Server[] = [];

  constructor(
    private readonly udp: DatagramSocket,
    private readonly c: { clock: Clock; counters: Counters; logger: Logger },
    limits: StreamLimits,
  ) {
    this.listener = new StreamListener(c, limits, (d, from) => this.handler(d, from));
    udp.onMessage((d, from) => this.handler(d, from));
  }

  /** Bind the configured listeners; the TLS key pair is read once, here. */
  async listen(cfg: StreamListen): Promise<void> {
    if (cfg.tcp) await this.bind(cfg.tcp, undefined);
    if (cfg.tls) {
      const [cert, key] = await Promise.all([readFile(cfg.tls.certFile), readFile(cfg.tls.keyFile)]);
      await this.bind(cfg.tls.listen, tls.createSecureContext({ cert, key, minVersion: 'TLSv1.3' }));
    }
  }

  /** Bound stream endpoints (port 0 resolved), for tests and the stats socket. */
  streamEndpoints(): Endpoint[] {
    return this.servers.map((s) => {
      const a = s.address() as net.AddressInfo;
      return { address: a.address, port: a.port };
    });
  }

  get streams(): number {
    return this.listener.size;
  }

  send(data: Uint8Array, to: Endpoint): void {
    if (!this.listener.send(to, data)) this.udp.send(data, to);
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  markAuthenticated(from: Endpoint): void {
    this.listener.authenticated(from);
  }

  local(): Endpoint {
    return this.udp.local();
  }

  async close(): Promise<void> {
    this.listener.closeAll();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.length = 0;
    await this.udp.close();
  }

  private async bind(ep: Endpoint, secure: tls.SecureContext | undefined): Promise<void> {
    const server = net.createServer((sock) => this.listener.accept(sock, secure));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(
          new NatmError('BIND', `cannot listen on TCP ${ep.address}:${ep.port}: ${err.message}`, {
            cause: err,
          }),
        ),
      );
      server.listen(ep.port, ep.address, 256, () => resolve());
    });
    server.on('error', (err) => this.c.logger.warn({ err, listen: ep }, 'stream listener error'));
    this.servers.push(server);
  }
}
