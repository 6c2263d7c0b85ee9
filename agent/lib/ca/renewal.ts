/**
 * Checks of a certificate renewal (docs/security.md §Renewal): the node presents the
 * certificate it holds and a fresh request signed by the same key (proof of possession).
 * Check order, with its code: request readable and self-signed (BAD_REQUEST) → request
 * for this cluster (BAD_REQUEST) → certificate signed by this CA for this cluster
 * (BAD_CERT) → not expired (EXPIRED: enroll again) → not revoked (REVOKED) → the request
 * names the certificate's Ed25519 and X25519 keys (KEY_MISMATCH) → the request was made
 * within MAX_REQUEST_AGE_SEC of now, either way (STALE_REQUEST). Pure.
 */
import { verifyCertificate, type CertAuthority, type NodeCert } from '../membership/certificate.ts';
import { MembershipError } from '../membership/errors.ts';
import { parseRequest, type CertRequest } from '../membership/request.ts';
import { EnrollError } from '../enrollment/errors.ts';

/** How far a renewal request's `iat` may be from the CA's clock, seconds. */
export const MAX_REQUEST_AGE_SEC = 600;

export interface RenewalPolicy {
  readonly ca: CertAuthority;
  readonly cluster: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly isRevoked: (nodeId: string) => boolean;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

export function checkRenewal(
  certRaw: Uint8Array,
  csrRaw: Uint8Array,
  p: RenewalPolicy,
): { cert: NodeCert; req: CertRequest } {
  let req: CertRequest;
  try {
    req = parseRequest(csrRaw);
  } catch (cause) {
    const m = cause instanceof MembershipError ? cause.message : 'unreadable';
    throw new EnrollError('BAD_REQUEST', `renewal request refused: ${m}`, { cause });
  }
  if (req.cluster !== p.cluster)
    throw new EnrollError(
      'BAD_REQUEST',
      `request is for cluster "${req.cluster}", this CA serves "${p.cluster}"`,
    );
  let cert: NodeCert;
  try {
    cert = verifyCertificate(certRaw, { ca: p.ca, cluster: p.cluster, now: p.now, isRevoked: p.isRevoked });
  } catch (cause) {
    const m = cause instanceof MembershipError ? cause.message : 'unreadable';
    const code = cause instanceof MembershipError ? cause.code : 'MALFORMED';
    if (code === 'REVOKED') throw new EnrollError('REVOKED', m, { cause });
    if (code === 'EXPIRED')
      throw new EnrollError(
        'EXPIRED',
        `${m}: an expired certificate cannot be renewed; enroll again with a token (new state dir)`,
        { cause },
      );
    throw new EnrollError('BAD_CERT', `not a certificate of this CA and cluster: ${m}`, { cause });
  }
  if (req.nodeId !== cert.nodeId || !same(req.signKey, cert.signKey) || !same(req.kxKey, cert.kxKey))
    throw new EnrollError(
      'KEY_MISMATCH',
      `the request's keys (node ${req.nodeId}) are not those of the certificate of ${cert.nodeId}`,
    );
  const nowSec = Math.floor(p.now / 1000);
  if (Math.abs(req.createdAt - nowSec) > MAX_REQUEST_AGE_SEC)
    throw new EnrollError(
      'STALE_REQUEST',
      `request made at ${req.createdAt}, over ${MAX_REQUEST_AGE_SEC} s from the CA's time ${nowSec}; check the node's clock`,
    );
  return { cert, req };
}
