/**
 * The node side of renewal (`p2p-update enroll --renew`, and natm's CertRenewer): send the
 * certificate held in STATE/node.cert with a fresh request signed by the node's key to
 * POST /api/renew, check the answer against the pinned CA (STATE/ca.pub), this node's keys
 * and node id, and replace node.cert atomically. On any failure node.cert is untouched.
 */
import type { Clock } from '../common/clock.ts';
import { decodeCertificate, verifyCertificate, type NodeCert } from '../membership/certificate.ts';
import { EnrollError, type EnrollCode } from './errors.ts';
import { getJson } from './client.ts';
import { writeFileAtomic } from './json-file.ts';
import { readTrust } from './node-identity.ts';
import { ensureNodeKeys, requestFor, statePaths } from './node-keys.ts';

export interface Renewed {
  readonly cert: NodeCert;
  readonly raw: Uint8Array;
  readonly previous: NodeCert;
}

const SERVER_CODES: readonly string[] = [
  'BAD_REQUEST',
  'BAD_CERT',
  'EXPIRED',
  'KEY_MISMATCH',
  'STALE_REQUEST',
  'REVOKED',
];
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

export async function renewCertificate(
  c: { fetch: typeof fetch; clock: Pick<Clock, 'now'> },
  o: { server: string; dir: string },
): Promise<Renewed> {
  const p = statePaths(o.dir);
  const { ca, cluster, raw: held } = await readTrust(o.dir);
  const keys = await ensureNodeKeys(o.dir);
  const previous = decodeCertificate(held);
  if (previous.nodeId !== keys.nodeId || !same(previous.kxKey, keys.kx.publicKey))
    throw new EnrollError('KEY_MISMATCH', `${p.cert} is not this node's certificate (keys differ)`);
  const csr = await requestFor(keys, { cluster, owner: previous.owner, nowMs: c.clock.now() });
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const r = await getJson(c, new URL('/api/renew', o.server).href, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cert: b64(held), csr: b64(csr) }),
  });
  if (r.status >= 400 || typeof r.body['cert'] !== 'string') {
    const code = String(r.body['error'] ?? '');
    throw new EnrollError(
      SERVER_CODES.includes(code) ? (code as EnrollCode) : 'SERVER',
      `server refused the renewal: ${String(r.body['message'] ?? `HTTP ${r.status}`)}`,
    );
  }
  const raw = new Uint8Array(Buffer.from(r.body['cert'], 'base64'));
  let cert: NodeCert;
  try {
    cert = verifyCertificate(raw, { ca, cluster, now: c.clock.now() });
  } catch (cause) {
    throw new EnrollError('SERVER', `renewed certificate refused: ${(cause as Error).message}`, { cause });
  }
  if (cert.nodeId !== keys.nodeId || !same(cert.kxKey, keys.kx.publicKey))
    throw new EnrollError(
      'SERVER',
      `renewed certificate names node ${cert.nodeId}, not this node ${keys.nodeId}`,
    );
  if (cert.issuedAt < previous.issuedAt)
    throw new EnrollError('SERVER', `renewed certificate is older (iat ${cert.issuedAt}) than the one held`);
  await writeFileAtomic(p.cert, raw, 0o644);
  return { cert, raw, previous };
}
