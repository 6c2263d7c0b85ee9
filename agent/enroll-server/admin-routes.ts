/**
 * The admin page's routes. Every state change is a POST with the session's CSRF token;
 * the session cookie is HttpOnly and SameSite=Strict. After a POST the browser is
 * redirected (303) to /admin with a one-line flash message in the query string.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../lib/common/logger.ts';
import { AdminSessions } from './admin-sessions.ts';
import type { CaStore } from '../lib/ca/ca-store.ts';
import type { EnrollServerConfig } from './config.ts';
import { EnrollError } from '../lib/enrollment/errors.ts';
import { readForm, redirect, send } from './http-util.ts';
import { dropFailureMessage, dropNotice } from '../lib/enrollment/notice-drop.ts';
import { confirmRevokePage, dashboardPage, loginPage, STYLE } from './pages.ts';
import { verifyPassword } from './password.ts';
import { sourceOf } from './source-address.ts';
import { ThrottledError, type Throttles } from './throttles.ts';

export interface AdminContext {
  readonly ca: CaStore;
  readonly cfg: EnrollServerConfig;
  readonly sessions: AdminSessions;
  readonly throttles: Throttles;
  readonly log: Logger;
}

const flashTo = (msg: string) => `/admin?msg=${encodeURIComponent(msg.slice(0, 1000))}`;

export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  x: AdminContext,
): Promise<void> {
  if (path === '/admin/style.css') return send(res, 200, STYLE, 'text/css; charset=utf-8');
  if (path === '/admin/login' && req.method === 'POST') return login(req, res, x);
  const session = x.sessions.lookup(req.headers.cookie);
  if (!session) {
    if (req.method !== 'GET') return redirect(res, '/admin');
    return send(res, path === '/admin' ? 200 : 404, loginPage(x.ca.cluster));
  }
  if (req.method === 'GET' && path === '/admin') {
    const msg = new URL(req.url ?? '', 'http://x').searchParams.get('msg') ?? undefined;
    const view = {
      cluster: x.ca.cluster,
      caKeyId: x.ca.authority.keyId,
      policy: policyText(x.cfg),
      state: x.ca.state,
      csrf: session.csrf,
      flash: msg,
    };
    return send(res, 200, dashboardPage(view));
  }
  if (req.method !== 'POST') return send(res, 404, 'not found', 'text/plain');
  const form = await readForm(req);
  if (!AdminSessions.csrfOk(session.csrf, form['csrf']))
    return send(res, 403, 'bad or missing CSRF token', 'text/plain');
  try {
    switch (path) {
      case '/admin/logout':
        return redirect(res, '/admin', { 'set-cookie': x.sessions.destroy(session.id) });
      case '/admin/approve': {
        const r = await x.ca.approve(form['id'] ?? '');
        x.log.info({ nodeId: r.nodeId, owner: r.owner }, 'admin approved node');
        return redirect(res, flashTo(`Approved node ${r.nodeId} (${r.owner}).`));
      }
      case '/admin/reject': {
        const r = await x.ca.reject(form['id'] ?? '');
        x.log.info({ nodeId: r.nodeId }, 'admin rejected request');
        return redirect(res, flashTo(`Rejected the request of node ${r.nodeId}.`));
      }
      case '/admin/revoke': {
        const id = form['nodeId'] ?? '';
        const node = x.ca.state.nodes.find((n) => n.nodeId === id);
        if (form['confirm'] !== 'yes')
          return send(res, 200, confirmRevokePage(id, node?.owner ?? 'unknown', session.csrf));
        const r = await x.ca.revoke(id);
        x.log.info({ nodeId: id, crlSeq: x.ca.state.crlSeq }, 'admin revoked node');
        const done = `Revoked node ${id}; revocation list is now seq ${x.ca.state.crlSeq}.`;
        return redirect(res, flashTo(`${done} ${await whereNoticeWent(x, id, r)}`));
      }
      default:
        return send(res, 404, 'not found', 'text/plain');
    }
  } catch (e) {
    if (e instanceof EnrollError) return redirect(res, flashTo(`Not done: ${e.message}`));
    throw e;
  }
}

/** Drops the notice into the configured natm notices dirs; says where it went, for the page. */
async function whereNoticeWent(
  x: AdminContext,
  id: string,
  r: { notice: Uint8Array; noticePath: string },
): Promise<string> {
  if (x.cfg.noticesDirs.length === 0)
    return (
      `Notice written to ${r.noticePath}: copy it into a running node's notices dir for gossip ` +
      '(or set noticesDirs); otherwise nodes learn it at their next revocation-list refresh.'
    );
  const d = await dropNotice(x.cfg.noticesDirs, id, r.notice);
  for (const path of d.written) x.log.info({ nodeId: id, path }, 'revocation notice dropped for gossip');
  if (d.failed.length > 0) x.log.error({ nodeId: id, failed: d.failed }, 'revocation notice not dropped');
  const ok = d.written.length ? `Notice dropped for gossip in ${d.written.join(', ')}.` : '';
  const bad = d.failed.length ? ` NOT DONE: ${dropFailureMessage(id, d.failed, r.noticePath)}.` : '';
  return (ok + bad).trim();
}

async function login(req: IncomingMessage, res: ServerResponse, x: AdminContext): Promise<void> {
  const form = await readForm(req);
  const client = sourceOf(req, x.cfg.trustedProxies);
  let attempt;
  try {
    attempt = x.throttles.loginAttempt(client); // counted now, before the scrypt runs
  } catch (e) {
    if (!(e instanceof ThrottledError)) throw e;
    x.log.warn({ client }, 'admin login throttled');
    const wait = { 'retry-after': String(Math.ceil(e.retryAfterMs / 1000)) };
    return send(
      res,
      429,
      loginPage(x.ca.cluster, 'Too many failed sign-ins; wait a minute.'),
      undefined,
      wait,
    );
  }
  let ok = false;
  try {
    ok = await verifyPassword(form['password'] ?? '', x.cfg.adminPasswordHash);
  } finally {
    if (ok) attempt.pass(true);
    else attempt.fail();
  }
  if (!ok) {
    x.log.warn({ client }, 'admin login failed');
    return send(res, 401, loginPage(x.ca.cluster, 'Wrong password.'));
  }
  const s = x.sessions.create();
  x.log.info({ client }, 'admin signed in');
  return redirect(res, '/admin', { 'set-cookie': s.cookie });
}

function policyText(cfg: EnrollServerConfig): string {
  if (cfg.policy === 'auto') return 'sign every request with a valid token';
  if (cfg.policy === 'approve') return 'admin approves each request';
  return `sign the first ${cfg.autoLimit} automatically, then admin approves`;
}
