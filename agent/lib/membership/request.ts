/**
 * Certificate signing requests. The node signs its own request with its Ed25519 key
 * (proof of possession), envelope kind "csr"; body: v=1, cluster, owner, sign, kx, iat.
 * The node id is never sent: the CA derives it from `sign`.
 */
import type { BDict } from '../metainfo/bencode-strict.ts';
import { MembershipError } from './errors.ts';
import { open, seal } from './envelope.ts';
import { bytes, int, str, utf8 } from './fields.ts';
import { nodeIdOf } from './node-id.ts';

export interface CertRequest {
  readonly nodeId: string;
  readonly cluster: string;
  readonly owner: string;
  readonly signKey: Uint8Array;
  readonly kxKey: Uint8Array;
  readonly createdAt: number;
}

export function makeRequest(r: Omit<CertRequest, 'nodeId'>, signSecretKey: Uint8Array): Promise<Uint8Array> {
  const body: BDict = {
    v: 1,
    cluster: utf8(r.cluster),
    owner: utf8(r.owner),
    sign: r.signKey,
    kx: r.kxKey,
    iat: r.createdAt,
  };
  return seal('csr', body, signSecretKey);
}

export function parseRequest(raw: Uint8Array): CertRequest {
  const env = open('csr', raw);
  const b = env.body;
  const w = 'request';
  if (b['v'] !== 1) throw new MembershipError('MALFORMED', `${w}: version must be 1`);
  const signKey = bytes(b, 'sign', w, 32);
  if (!env.verifiedBy(signKey))
    throw new MembershipError('MALFORMED', 'request: not signed by the key it carries');
  const owner = str(b, 'owner', w, 128);
  if (!/^[\w.@+-]{1,128}$/.test(owner))
    throw new MembershipError('MALFORMED', 'request: owner must be 1-128 of [A-Za-z0-9_.@+-]');
  return {
    nodeId: nodeIdOf(signKey),
    cluster: str(b, 'cluster', w, 128),
    owner,
    signKey,
    kxKey: bytes(b, 'kx', w, 32),
    createdAt: int(b, 'iat', w),
  };
}
