/**
 * Revocation, two signed forms (docs/security.md §Revocation):
 * - the revocation list (kind "crl"): v=1, ca, cluster, seq, iat, ids (sorted node ids);
 *   published by the enrollment server at GET /crl, refreshed by nodes;
 * - the revocation notice (kind "revoke"): v=1, ca, cluster, id, iat; one node, small
 *   enough to gossip.
 * Both are signed by the CA key; opening one checks CA and cluster.
 */
import type { BDict } from '../metainfo/bencode-strict.ts';
import type { CertAuthority } from './certificate.ts';
import { MembershipError } from './errors.ts';
import { open, seal, type Kind } from './envelope.ts';
import { int, str, strList, utf8 } from './fields.ts';
import { isNodeId } from './node-id.ts';

/** Caps: ids in one list, and its encoded size (35 bytes per id plus a header). */
export const MAX_CRL_IDS = 20_000;
export const MAX_CRL_BYTES = 1024 * 1024;
export interface RevocationList {
  readonly cluster: string;
  readonly seq: number;
  readonly issuedAt: number;
  readonly ids: readonly string[];
}
export interface RevocationNotice {
  readonly cluster: string;
  readonly nodeId: string;
  readonly issuedAt: number;
}
type Signer = { keyId: string; secretKey: Uint8Array };

export function signRevocationList(l: RevocationList, ca: Signer): Promise<Uint8Array> {
  const ids = [...new Set(l.ids)].sort().map(utf8);
  const body: BDict = {
    v: 1,
    ca: utf8(ca.keyId),
    cluster: utf8(l.cluster),
    seq: l.seq,
    iat: l.issuedAt,
    ids,
  };
  return seal('crl', body, ca.secretKey);
}

export function signRevocationNotice(n: RevocationNotice, ca: Signer): Promise<Uint8Array> {
  const body: BDict = {
    v: 1,
    ca: utf8(ca.keyId),
    cluster: utf8(n.cluster),
    id: utf8(n.nodeId),
    iat: n.issuedAt,
  };
  return seal('revoke', body, ca.secretKey);
}

function openChecked(
  kind: Kind,
  raw: Uint8Array,
  ca: CertAuthority,
  cluster: string,
  maxBytes?: number,
): BDict {
  const env = open(kind, raw, maxBytes);
  const b = env.body;
  if (b['v'] !== 1) throw new MembershipError('MALFORMED', `${kind}: version must be 1`);
  if (str(b, 'ca', kind, 64) !== ca.keyId || !env.verifiedBy(ca.publicKey))
    throw new MembershipError('WRONG_CA', `${kind} is not signed by CA ${ca.keyId}`);
  const c = str(b, 'cluster', kind, 128);
  if (c !== cluster)
    throw new MembershipError('WRONG_CLUSTER', `${kind} is for "${c}", expected "${cluster}"`);
  return b;
}

export function openRevocationList(raw: Uint8Array, ca: CertAuthority, cluster: string): RevocationList {
  const b = openChecked('crl', raw, ca, cluster, MAX_CRL_BYTES);
  const ids = strList(b, 'ids', 'crl', MAX_CRL_IDS);
  if (!ids.every(isNodeId)) throw new MembershipError('MALFORMED', 'crl: every id must be a node id');
  return { cluster, seq: int(b, 'seq', 'crl'), issuedAt: int(b, 'iat', 'crl'), ids };
}

export function openRevocationNotice(raw: Uint8Array, ca: CertAuthority, cluster: string): RevocationNotice {
  const b = openChecked('revoke', raw, ca, cluster);
  const nodeId = str(b, 'id', 'revoke', 64);
  if (!isNodeId(nodeId)) throw new MembershipError('MALFORMED', 'revoke: id must be a node id');
  return { cluster, nodeId, issuedAt: int(b, 'iat', 'revoke') };
}
