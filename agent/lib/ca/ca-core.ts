/**
 * The CA's pure core: every decision on its records (ca-state.ts) is a function from the
 * state before to the state after, with a coded EnrollError when it refuses. No keys, no
 * files, no clock: CaStore (ca-store.ts) locks, loads, signs and writes around these.
 * Inputs never change: every function returns new arrays and records.
 */
import { EnrollError } from '../enrollment/errors.ts';
import { isNodeId } from '../membership/node-id.ts';
import { MAX_PENDING, type CaState, type NodeRecord, type RequestRecord } from './ca-state.ts';

export function isRevoked(st: CaState, nodeId: string): boolean {
  return st.revoked.some((r) => r.nodeId === nodeId);
}

export function requestById(st: CaState, id: string): RequestRecord | undefined {
  return st.requests.find((r) => r.id === id);
}

/** A new request as CaStore parsed it, with the id and time CaStore chose. */
export interface NewRequest {
  readonly record: RequestRecord;
  /** The cluster the request names, and the one this CA serves. */
  readonly cluster: string;
  readonly caCluster: string;
  /** A one-time token's hash, spent by this request. */
  readonly spendToken?: string;
  /** Pending requests allowed under the record's token (so one token cannot fill MAX_PENDING). */
  readonly maxPendingForToken?: number;
}

/**
 * Records a request (pending). Idempotent per node id: while one is pending or issued,
 * that one is the answer (`fresh` false) and nothing changes.
 */
export function admitRequest(
  st: CaState,
  n: NewRequest,
): { st: CaState; rec: RequestRecord; fresh: boolean } {
  const { record: rec, cluster, caCluster, spendToken } = n;
  if (cluster !== caCluster)
    throw new EnrollError(
      'BAD_REQUEST',
      `request is for cluster "${cluster}", this CA serves "${caCluster}"`,
    );
  if (isRevoked(st, rec.nodeId)) throw new EnrollError('REVOKED', `node ${rec.nodeId} is revoked`);
  const prior = st.requests.find((r) => r.nodeId === rec.nodeId && r.status !== 'rejected');
  if (prior) return { st, rec: prior, fresh: false };
  if (spendToken && st.spentTokens.includes(spendToken))
    throw new EnrollError('BAD_TOKEN', 'this one-time enrollment token was already used');
  const pending = st.requests.filter((r) => r.status === 'pending');
  if (pending.length >= MAX_PENDING)
    throw new EnrollError('THROTTLED', `too many pending requests (${MAX_PENDING}); ask the admin`);
  const max = n.maxPendingForToken ?? MAX_PENDING;
  if (pending.filter((r) => r.token === rec.token).length >= max)
    throw new EnrollError(
      'THROTTLED',
      `too many pending requests for token "${rec.token}" (${max}); ask the admin to approve or reject some`,
    );
  const spentTokens = spendToken ? [...st.spentTokens, spendToken] : st.spentTokens;
  return { st: { ...st, requests: [...st.requests, rec], spentTokens }, rec, fresh: true };
}

/** The pending request `id` of a node that is not revoked (what may be approved). */
export function approvable(st: CaState, id: string): RequestRecord {
  const rec = pendingRequest(st, id);
  if (isRevoked(st, rec.nodeId)) throw new EnrollError('REVOKED', `node ${rec.nodeId} is revoked`);
  return rec;
}

export function pendingRequest(st: CaState, id: string): RequestRecord {
  const rec = requestById(st, id);
  if (!rec || rec.status !== 'pending') throw new EnrollError('NOT_FOUND', `no pending request ${id}`);
  return rec;
}

/** Request `id` was signed as `node` (its certificate is now the node's record). */
export function withIssued(st: CaState, id: string, node: NodeRecord, autoSigned: boolean): CaState {
  const requests = st.requests.map((r) =>
    r.id === id ? { ...r, status: 'issued' as const, decidedAt: node.issuedAt, cert: node.cert } : r,
  );
  return { ...withNode(st, node), requests, autoSigned: st.autoSigned + (autoSigned ? 1 : 0) };
}

/** `node` is the node's certificate from now on (issued or renewed). */
export function withNode(st: CaState, node: NodeRecord): CaState {
  return { ...st, nodes: [...st.nodes.filter((n) => n.nodeId !== node.nodeId), node] };
}

/**
 * A renewal: the node's new record, and its issued request hands out the new certificate
 * too, so a re-run of `enroll` never brings the old one back.
 */
export function withRenewed(st: CaState, node: NodeRecord): CaState {
  const requests = st.requests.map((r) =>
    r.nodeId === node.nodeId && r.status === 'issued' ? { ...r, cert: node.cert } : r,
  );
  return { ...withNode(st, node), requests };
}

export function withRejected(st: CaState, id: string, now: number): CaState {
  pendingRequest(st, id);
  const requests = st.requests.map((r) =>
    r.id === id ? { ...r, status: 'rejected' as const, decidedAt: now } : r,
  );
  return { ...st, requests };
}

/** Node `nodeId` revoked at `now` (once), and its pending requests rejected. */
export function withRevoked(st: CaState, nodeId: string, now: number): CaState {
  if (!isNodeId(nodeId)) throw new EnrollError('BAD_REQUEST', `"${nodeId}" is not a node id (32 hex digits)`);
  const revoked = isRevoked(st, nodeId) ? st.revoked : [...st.revoked, { nodeId, at: now }];
  const requests = st.requests.map((r) =>
    r.nodeId === nodeId && r.status === 'pending' ? { ...r, status: 'rejected' as const, decidedAt: now } : r,
  );
  return { ...st, revoked, requests };
}

/** The next revocation list: its sequence number and the ids it names. */
export function withNextCrl(st: CaState): { st: CaState; seq: number; ids: string[] } {
  const seq = st.crlSeq + 1;
  return { st: { ...st, crlSeq: seq }, seq, ids: st.revoked.map((r) => r.nodeId) };
}
