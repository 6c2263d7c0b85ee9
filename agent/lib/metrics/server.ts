/**
 * The Prometheus endpoint of one process: an HTTP server that answers GET /metrics with its
 * Registry's text exposition and nothing else (404 for other paths, 405 for other methods).
 * It reads nothing from the request beyond the request line and headers, holds at most
 * MAX_CONNECTIONS sockets, and drops a client whose request is not in after
 * REQUEST_TIMEOUT_MS. start() and
 * stop() are idempotent; stop() resolves when the port is released.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { P2PError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { Endpoint } from '../net/datagram.ts';

export const MAX_CONNECTIONS = 16;
export const REQUEST_TIMEOUT_MS = 5000;

export class MetricsError extends P2PError {
  readonly code = 'METRICS_LISTEN';
}

export class MetricsServer {
  private server: http.Server | undefined;

  constructor(
    private readonly c: { registry: Registry; logger: Logger },
    private readonly listen: Endpoint,
    private readonly init: { requestTimeoutMs?: number } = {},
  ) {}

  async start(): Promise<void> {
    if (this.server) return;
    const timeout = this.init.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const options = {
      requestTimeout: timeout,
      headersTimeout: timeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, timeout / 2)),
    };
    const server = http.createServer(options, (req, res) => void this.answer(req, res));
    server.maxConnections = MAX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => {
        const at = `${this.listen.address}:${this.listen.port}`;
        reject(new MetricsError(`cannot serve metrics on ${at}: ${err.message}`, { cause: err }));
      });
      server.listen(this.listen.port, this.listen.address, resolve);
    });
    this.server = server;
    this.c.logger.info({ metrics: this.local() }, 'metrics listening');
  }

  /** The bound address (the real port when `listen` asked for port 0). */
  local(): Endpoint {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { address: a.address, port: a.port } : this.listen;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return void res.writeHead(404).end('not found: GET /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return void res.writeHead(405, { allow: 'GET, HEAD' }).end('method not allowed\n');
    try {
      const body = await this.c.registry.metrics();
      res.writeHead(200, { 'content-type': this.c.registry.contentType });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      this.c.logger.warn({ err }, 'metrics collection failed');
      res.writeHead(500).end('metrics collection failed\n');
    }
  }
}
