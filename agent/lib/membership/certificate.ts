/**
 * Node certificates (docs/security.md §Certificates). A certificate is a CA-signed
 * envelope (envelope.ts, kind "cert") whose body binds:
 *   v=1, ca (CA key id), cluster, id (node id), owner, sign (Ed25519 pub, 32 bytes),
 *   kx (X25519 pub, 32 bytes), iat and exp (Unix seconds).
 * Check order (verifyCertificate): size and strict encoding → CA key id and signature →
 * cluster → node id = H(sign) → validity window → revocation.
 */
import type { BDict } from '../metainfo/bencode-strict.ts';
import { MembershipError } from './errors.ts';
import { open, seal } from './envelope.ts';
import { bytes, int, str, utf8 } from './fields.ts';
import { nodeIdOf } from './node-id.ts';

export interface NodeCert {
  readonly caKeyId: string;
  readonly cluster: string;
  readonly nodeId: string;
  readonly owner: string;
  readonly signKey: Uint8Array;
  readonly kxKey: Uint8Array;
  readonly issuedAt: number;
  readonly expires: number;
}

/**
 * The certificate authority as every verifier knows it: its key id and Ed25519 public
 * key (the trust anchor). The CA's own records and signing key live in CaStore
 * (agent/lib/ca/ca-store.ts), on the CA host only.
 */
export interface CertAuthority {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
}

export interface CertPolicy {
  readonly ca: CertAuthority;
  readonly cluster: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly isRevoked?: (nodeId: string) => boolean;
  /** Tolerated clock skew for `iat` in the future, seconds (default 300). */
  readonly skewSec?: number;
}

export type CertFields = Omit<NodeCert, 'caKeyId'>;

export function issueCertificate(
  fields: CertFields,
  ca: { keyId: string; secretKey: Uint8Array },
): Promise<Uint8Array> {
  const body: BDict = {
    v: 1,
    ca: utf8(ca.keyId),
    cluster: utf8(fields.cluster),
    id: utf8(fields.nodeId),
    owner: utf8(fields.owner),
    sign: fields.signKey,
    kx: fields.kxKey,
    iat: fields.issuedAt,
    exp: fields.expires,
  };
  return seal('cert', body, ca.secretKey);
}

function readCert(b: BDict): NodeCert {
  const w = 'certificate';
  if (b['v'] !== 1) throw new MembershipError('MALFORMED', `${w}: version must be 1`);
  return {
    caKeyId: str(b, 'ca', w, 64),
    cluster: str(b, 'cluster', w, 128),
    nodeId: str(b, 'id', w, 64),
    owner: str(b, 'owner', w, 128),
    signKey: bytes(b, 'sign', w, 32),
    kxKey: bytes(b, 'kx', w, 32),
    issuedAt: int(b, 'iat', w),
    expires: int(b, 'exp', w),
  };
}

/** Parses without checking the signature: for display only. */
export function decodeCertificate(raw: Uint8Array): NodeCert {
  return readCert(open('cert', raw).body);
}

export function verifyCertificate(raw: Uint8Array, policy: CertPolicy): NodeCert {
  const env = open('cert', raw);
  const cert = readCert(env.body);
  if (cert.caKeyId !== policy.ca.keyId || !env.verifiedBy(policy.ca.publicKey))
    throw new MembershipError(
      'WRONG_CA',
      `certificate of ${cert.nodeId} is not signed by CA ${policy.ca.keyId}`,
    );
  if (cert.cluster !== policy.cluster)
    throw new MembershipError(
      'WRONG_CLUSTER',
      `certificate is for cluster "${cert.cluster}", expected "${policy.cluster}"`,
    );
  if (nodeIdOf(cert.signKey) !== cert.nodeId)
    throw new MembershipError(
      'NODE_ID_MISMATCH',
      `node id ${cert.nodeId} does not derive from its signing key`,
    );
  const nowSec = Math.floor(policy.now / 1000);
  if (cert.issuedAt > nowSec + (policy.skewSec ?? 300))
    throw new MembershipError(
      'EXPIRED',
      `certificate of ${cert.nodeId} is not valid before ${cert.issuedAt}`,
    );
  if (cert.expires <= nowSec)
    throw new MembershipError('EXPIRED', `certificate of ${cert.nodeId} expired at ${cert.expires}`);
  if (policy.isRevoked?.(cert.nodeId)) throw new MembershipError('REVOKED', `node ${cert.nodeId} is revoked`);
  return cert;
}
