/**
 * The enrollment server (docs/security.md §Enrollment): node:http, or node:https with
 * `tls` in the config; meant for localhost or behind a TLS reverse proxy.
 *   GET  /ca                 {cluster, caKeyId, caPublicKey}  (the node pins it on first use)
 *   POST /api/requests       {token, csr}  → {id, status, cert?}   (signed per policy)
 *   GET  /api/requests/ID    {status, cert?}                       (the node polls)
 *   POST /api/renew          {cert, csr}   → {nodeId, cert, expires}  (no token: renewal.ts)
 *   GET  /crl                the signed revocation list (application/octet-stream)
 *   GET  /notices/NODEID     the signed revocation notice of one node
 *   /admin...                the admin page (admin-routes.ts)
 */
import { readFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import { isNodeId } from '../lib/membership/node-id.ts';
import { handleAdmin } from './admin-routes.ts';
import { AdminSessions } from './admin-sessions.ts';
import type { CaStore } from '../lib/ca/ca-store.ts';
import type { EnrollServerConfig } from './config.ts';
import { EnrollError } from '../lib/enrollment/errors.ts';
import type { EnrollMetrics } from './metrics.ts';
import { readJsonBody, send, sendJson } from './http-util.ts';
import { signsAutomatically } from './policy.ts';
import { sourceOf } from './source-address.ts';
import { ThrottledError, Throttles } from './throttles.ts';
import { findToken, tokenHash } from './tokens.ts';

export interface EnrollServerComponents {
  readonly ca: CaStore;
  readonly log: Logger;
  readonly clock?: Pick<Clock, 'now'>;
  /** Counts every answer by route and status (metrics.ts). */
  readonly metrics?: EnrollMetrics;
}

const STATUS: Record<string, number> = {
  BAD_TOKEN: 403,
  BAD_REQUEST: 400,
  REVOKED: 403,
  NOT_FOUND: 404,
  BAD_CERT: 403,
  EXPIRED: 403,
  KEY_MISMATCH: 403,
  STALE_REQUEST: 400,
  THROTTLED: 429,
};

export class EnrollServer {
  readonly #c: EnrollServerComponents;
  readonly #cfg: EnrollServerConfig;
  readonly sessions: AdminSessions;
  readonly throttles: Throttles;
  #server: Server | undefined;

  constructor(components: EnrollServerComponents, config: EnrollServerConfig) {
    this.#c = components;
    this.#cfg = config;
    const clock = components.clock ?? systemClock;
    this.sessions = new AdminSessions(
      { clock },
      { ttlMs: config.sessionTtlMinutes * 60_000, secure: config.secureCookie },
    );
    this.throttles = new Throttles({ clock }, config.limits);
  }

  get url(): string {
    const a = this.#server?.address() as AddressInfo | null;
    if (!a) throw new Error('enroll server not started');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `${this.#cfg.tls ? 'https' : 'http'}://${host}:${a.port}`;
  }

  async start(): Promise<string> {
    if (this.#server) return this.url;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    const tls = this.#cfg.tls;
    const server = tls
      ? createHttps({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler)
      : createHttp(handler);
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.#cfg.listen.port, this.#cfg.listen.host, () => res());
    });
    this.#server = server;
    this.#c.log.info(
      { url: this.url, policy: this.#cfg.policy, noticesDirs: this.#cfg.noticesDirs },
      'enroll server listening',
    );
    for (const dir of this.#cfg.noticesDirs)
      if (
        !(await stat(dir).then(
          (s) => s.isDirectory(),
          () => false,
        ))
      )
        this.#c.log.warn(
          { dir },
          'noticesDirs: not a directory; revocations from the page cannot be dropped there',
        );
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((res) => s.close(() => res()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const metrics = this.#c.metrics;
    if (metrics) res.once('finish', () => metrics.responded(path, res.statusCode));
    try {
      await this.#c.ca.refresh();
      if (path === '/' && req.method === 'GET')
        return send(res, 303, '', 'text/plain', { location: '/admin' });
      if (path.startsWith('/admin'))
        return await handleAdmin(req, res, path, {
          ...this.#c,
          cfg: this.#cfg,
          sessions: this.sessions,
          throttles: this.throttles,
        });
      if (path === '/ca' && req.method === 'GET') return this.#caInfo(res);
      if (path === '/crl' && req.method === 'GET')
        return send(res, 200, this.#c.ca.crl, 'application/octet-stream');
      if (path === '/api/requests' && req.method === 'POST') return await this.#submit(req, res);
      if (path === '/api/renew' && req.method === 'POST') return await this.#renew(req, res);
      const m = /^\/api\/requests\/([0-9a-f]{32})$/.exec(path);
      if (m && req.method === 'GET') return this.#poll(res, m[1]!);
      const n = /^\/notices\/([0-9a-f]{32})$/.exec(path);
      if (n && req.method === 'GET' && isNodeId(n[1]!) && this.#c.ca.isRevoked(n[1]!))
        return send(
          res,
          200,
          await readFile(join(this.#c.ca.dir, 'notices', `${n[1]}.revoke`)),
          'application/octet-stream',
        );
      return sendJson(res, 404, { error: 'NOT_FOUND' });
    } catch (e) {
      const code = e instanceof EnrollError ? e.code : 'SERVER';
      if (code === 'SERVER') this.#c.log.error({ err: e, path }, 'enroll request failed');
      else
        this.#c.log.info(
          { code, path, client: sourceOf(req, this.#cfg.trustedProxies) },
          'enroll request refused',
        );
      const wait: Record<string, string> =
        e instanceof ThrottledError ? { 'retry-after': String(Math.ceil(e.retryAfterMs / 1000)) } : {};
      if (!res.headersSent)
        sendJson(
          res,
          STATUS[code] ?? 500,
          { error: code, message: e instanceof EnrollError ? e.message : 'internal error' },
          wait,
        );
    }
  }

  #caInfo(res: ServerResponse): void {
    const { ca } = this.#c;
    sendJson(res, 200, {
      cluster: ca.cluster,
      caKeyId: ca.authority.keyId,
      caPublicKey: Buffer.from(ca.authority.publicKey).toString('base64'),
    });
  }

  async #submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req);
    // Reserved before the check, per source and in all: guessing is bounded (throttles.ts).
    const attempt = this.throttles.tokenAttempt(sourceOf(req, this.#cfg.trustedProxies));
    const token = typeof body['token'] === 'string' ? findToken(this.#cfg.tokens, body['token']) : undefined;
    if (!token) {
      attempt.fail();
      throw new EnrollError('BAD_TOKEN', 'unknown enrollment token');
    }
    attempt.pass();
    if (typeof body['csr'] !== 'string')
      throw new EnrollError('BAD_REQUEST', 'field "csr" (base64) is required');
    const { ca } = this.#c;
    const sign = (st: { autoSigned: number }) =>
      signsAutomatically(this.#cfg.policy, this.#cfg.autoLimit, st.autoSigned);
    const rec = await ca.submit(Buffer.from(body['csr'], 'base64'), {
      token: token.label,
      owner: token.owner,
      sign,
      spendToken: token.once ? tokenHash(token.token) : undefined,
      maxPendingForToken: this.#cfg.limits.pendingPerToken,
    });
    this.#c.log.info({ nodeId: rec.nodeId, status: rec.status, token: token.label }, 'enrollment request');
    sendJson(res, rec.status === 'issued' ? 200 : 202, {
      id: rec.id,
      nodeId: rec.nodeId,
      status: rec.status,
      cert: rec.cert,
    });
  }

  async #renew(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req);
    for (const f of ['cert', 'csr'])
      if (typeof body[f] !== 'string')
        throw new EnrollError('BAD_REQUEST', `field "${f}" (base64) is required`);
    const b = (f: string) => new Uint8Array(Buffer.from(body[f] as string, 'base64'));
    const node = await this.#c.ca.renew(b('cert'), b('csr'));
    this.#c.log.info({ nodeId: node.nodeId, expires: node.expires }, 'certificate renewed');
    sendJson(res, 200, { nodeId: node.nodeId, cert: node.cert, expires: node.expires });
  }

  #poll(res: ServerResponse, id: string): void {
    const rec = this.#c.ca.request(id);
    if (!rec) return sendJson(res, 404, { error: 'NOT_FOUND' });
    const status = this.#c.ca.isRevoked(rec.nodeId) ? 'revoked' : rec.status;
    sendJson(res, 200, { id, nodeId: rec.nodeId, status, cert: status === 'issued' ? rec.cert : undefined });
  }
}
