/**
 * The node side of enrollment (`p2p-update enroll`): make keys, learn the CA (checked
 * against the fingerprint the admin handed over, or trusted on first use when none was
 * given, then pinned in STATE/ca.pub), send a signed request with the enrollment token,
 * poll until the certificate is issued, check it names this node's keys, save it with
 * the current revocation list.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../common/clock.ts';
import { encodePublicKeyPem, keyIdOf, parsePublicKeyPem } from '../crypto/keys.ts';
import { verifyCertificate, type CertAuthority, type NodeCert } from '../membership/certificate.ts';
import { openRevocationList } from '../membership/revocation.ts';
import { caFingerprint } from './ca-pin.ts';
import { EnrollError } from './errors.ts';
import { readJson, writeFileAtomic } from './json-file.ts';
import { ensureNodeKeys, requestFor, statePaths } from './node-keys.ts';

export interface EnrollComponents {
  readonly fetch: typeof fetch;
  readonly clock: Pick<Clock, 'now'>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly onStatus?: (msg: string) => void;
}

export interface EnrollOptions {
  readonly server: string;
  readonly token: string;
  readonly dir: string;
  readonly owner: string;
  /** Key id of the CA the admin announced (64 bits; prefer caFingerprint). */
  readonly caKeyId?: string;
  /** Fingerprint of the CA key the admin announced (ca-pin.ts); without it, trust on first use. */
  readonly caFingerprint?: string;
  readonly pollMs: number;
  /** 0 = wait forever. */
  readonly timeoutMs: number;
}

export async function getJson(
  c: Pick<EnrollComponents, 'fetch'>,
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown>; retryAfterS: number }> {
  let res: Response;
  try {
    res = await c.fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (cause) {
    throw new EnrollError('SERVER', `cannot reach ${url}: ${(cause as Error).message}`, { cause });
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const retry = Number(res.headers.get('retry-after'));
  return { status: res.status, body, retryAfterS: Number.isFinite(retry) && retry > 0 ? retry : 0 };
}

async function learnCa(
  c: EnrollComponents,
  o: EnrollOptions,
): Promise<{ ca: CertAuthority; cluster: string }> {
  const { body } = await getJson(c, new URL('/ca', o.server).href);
  const pub = Buffer.from(String(body['caPublicKey'] ?? ''), 'base64');
  const cluster = String(body['cluster'] ?? '');
  if (pub.length !== 32 || !cluster) throw new EnrollError('SERVER', `${o.server}/ca: no CA key or cluster`);
  const keyId = keyIdOf(pub);
  const fp = caFingerprint(pub);
  const p = statePaths(o.dir);
  const held = existsSync(p.caPub) ? parsePublicKeyPem(await readFile(p.caPub, 'utf8')) : null;
  const wrong = (what: string) =>
    new EnrollError(
      'WRONG_CA',
      `the server's CA key ${fp} is not ${what}; refusing (is this the right server?)`,
    );
  if (held && !Buffer.from(held.bytes).equals(pub))
    throw wrong(`the CA ${caFingerprint(held.bytes)} pinned in ${p.caPub}`);
  if (o.caFingerprint !== undefined && o.caFingerprint !== fp) throw wrong(`the expected ${o.caFingerprint}`);
  if (o.caKeyId !== undefined && o.caKeyId !== keyId) throw wrong(`the expected key id ${o.caKeyId}`);
  if (!held) {
    if (o.caFingerprint === undefined && o.caKeyId === undefined)
      c.onStatus?.(`trusting the CA ${fp} of ${o.server} on first use (pin it with --ca-fingerprint)`);
    await writeFileAtomic(p.caPub, encodePublicKeyPem(pub), 0o644);
  }
  return { ca: { keyId, publicKey: new Uint8Array(pub) }, cluster };
}

export async function enroll(c: EnrollComponents, o: EnrollOptions): Promise<NodeCert> {
  const keys = await ensureNodeKeys(o.dir);
  const p = statePaths(o.dir);
  const { ca, cluster } = await learnCa(c, o);
  let id = existsSync(p.enrollment)
    ? (await readJson<{ id: string }>(p.enrollment, 'enrollment', 'node')).id
    : undefined;
  let cert: string | undefined;
  const deadline = o.timeoutMs > 0 ? c.clock.now() + o.timeoutMs : Infinity;
  if (!id) {
    const csr = await requestFor(keys, { cluster, owner: o.owner, nowMs: c.clock.now() });
    const send = () =>
      getJson(c, new URL('/api/requests', o.server).href, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: o.token, csr: Buffer.from(csr).toString('base64') }),
      });
    let r = await send();
    // Throttled (429 + Retry-After): wait as told while the timeout allows, then ask again.
    while (r.status === 429 && r.retryAfterS > 0 && c.clock.now() + r.retryAfterS * 1000 < deadline) {
      c.onStatus?.(`server busy (${String(r.body['message'] ?? 429)}); asking again in ${r.retryAfterS} s`);
      await c.sleep(r.retryAfterS * 1000);
      r = await send();
    }
    if (r.status >= 400)
      throw new EnrollError(
        r.status === 403 ? 'BAD_TOKEN' : r.status === 429 ? 'THROTTLED' : 'BAD_REQUEST',
        `server refused: ${String(r.body['message'] ?? r.status)}`,
      );
    id = String(r.body['id']);
    await writeFileAtomic(p.enrollment, JSON.stringify({ id, server: o.server }));
    cert = typeof r.body['cert'] === 'string' ? r.body['cert'] : undefined;
  }
  c.onStatus?.(`node ${keys.nodeId}: request ${id} sent to ${o.server}; waiting for the certificate`);
  while (!cert) {
    const r = await getJson(c, new URL(`/api/requests/${id}`, o.server).href);
    const status = r.body['status'];
    if (status === 'issued' && typeof r.body['cert'] === 'string') cert = r.body['cert'];
    else if (status === 'rejected' || status === 'revoked')
      throw new EnrollError('REJECTED', `the admin ${status} node ${keys.nodeId}`);
    else if (r.status === 404)
      throw new EnrollError(
        'NOT_FOUND',
        `the server no longer knows request ${id}; remove ${p.enrollment} and retry`,
      );
    else if (c.clock.now() >= deadline)
      throw new EnrollError(
        'TIMEOUT',
        `no certificate after ${o.timeoutMs} ms; run enroll again to keep waiting`,
      );
    else await c.sleep(o.pollMs);
  }
  const raw = new Uint8Array(Buffer.from(cert, 'base64'));
  const nc = verifyCertificate(raw, { ca, cluster, now: c.clock.now() });
  if (nc.nodeId !== keys.nodeId || !Buffer.from(nc.kxKey).equals(Buffer.from(keys.kx.publicKey)))
    throw new EnrollError(
      'SERVER',
      `issued certificate names node ${nc.nodeId}, not this node ${keys.nodeId}`,
    );
  await writeFileAtomic(p.cert, raw, 0o644);
  await refreshCrlFile(c, o.server, o.dir, ca, cluster).catch(() => undefined);
  return nc;
}

/** Fetches GET /crl, checks it, and saves it unless it is older than the one held. */
export async function refreshCrlFile(
  c: Pick<EnrollComponents, 'fetch'>,
  server: string,
  dir: string,
  ca: CertAuthority,
  cluster: string,
): Promise<number> {
  let res: Response;
  try {
    res = await c.fetch(new URL('/crl', server).href, { signal: AbortSignal.timeout(15_000) });
  } catch (cause) {
    throw new EnrollError('SERVER', `cannot fetch ${server}/crl: ${(cause as Error).message}`, { cause });
  }
  if (!res.ok) throw new EnrollError('SERVER', `GET /crl: HTTP ${res.status}`);
  const raw = new Uint8Array(await res.arrayBuffer());
  const list = openRevocationList(raw, ca, cluster);
  const p = statePaths(dir);
  if (existsSync(p.crl)) {
    const held = openRevocationList(new Uint8Array(await readFile(p.crl)), ca, cluster);
    if (held.seq > list.seq) return held.seq;
  }
  await writeFileAtomic(p.crl, raw, 0o644);
  return list.seq;
}
