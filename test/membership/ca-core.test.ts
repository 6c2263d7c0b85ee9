/** The CA's pure core (agent/lib/ca/ca-core.ts): state in, state out, coded refusals; no keys, no disk. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  admitRequest,
  approvable,
  withIssued,
  withNextCrl,
  withRejected,
  withRenewed,
  withRevoked,
} from '../../agent/lib/ca/ca-core.ts';
import { emptyState, MAX_PENDING, type CaState, type RequestRecord } from '../../agent/lib/ca/ca-state.ts';

const node = (i: number) => i.toString(16).padStart(32, '0');
const request = (i: number): RequestRecord => ({
  id: `r${i}`,
  nodeId: node(i),
  owner: `o${i}`,
  receivedAt: 1,
  csr: '',
  token: 'cli',
  status: 'pending',
});
const admit = (st: CaState, i: number, spendToken?: string) =>
  admitRequest(st, { record: request(i), cluster: 'lab', caCluster: 'lab', spendToken });
/** The code of the EnrollError `fn` throws ('OK' if it does not throw). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return String((e as { code?: unknown }).code);
  }
  return 'OK';
}

test('a request is admitted once per node; the input state is never changed', () => {
  const st0 = emptyState();
  const a = admit(st0, 1, 'tok');
  assert.equal(a.fresh, true);
  assert.deepEqual(st0, emptyState(), 'input untouched');
  assert.deepEqual(a.st.spentTokens, ['tok']);
  const again = admit(a.st, 1);
  assert.equal(again.fresh, false);
  assert.equal(again.st, a.st, 'nothing changes for a repeat');
});

test('refusals: other cluster, spent token, revoked node, too many pending (in all, per token)', () => {
  const st = admit(emptyState(), 1, 'tok').st;
  assert.equal(
    codeOf(() => admitRequest(st, { record: request(2), cluster: 'other', caCluster: 'lab' })),
    'BAD_REQUEST',
  );
  assert.equal(
    codeOf(() => admit(st, 2, 'tok')),
    'BAD_TOKEN',
  );
  assert.equal(
    codeOf(() => admit(withRevoked(st, node(3), 5), 3)),
    'REVOKED',
  );
  let full = emptyState();
  for (let i = 0; i < MAX_PENDING; i++) full = admit(full, 1000 + i).st;
  assert.equal(
    codeOf(() => admit(full, 5)),
    'THROTTLED',
  );
  const one = (i: number) => ({
    record: request(i),
    cluster: 'lab',
    caCluster: 'lab',
    maxPendingForToken: 2,
  });
  const two = admitRequest(admitRequest(emptyState(), one(1)).st, one(2)).st;
  assert.equal(
    codeOf(() => admitRequest(two, one(3))),
    'THROTTLED',
    'one token fills at most its share',
  );
});

test('issue, reject, revoke, renew and the next list', () => {
  const st = admit(admit(emptyState(), 1).st, 2).st;
  const cert = { nodeId: node(1), owner: 'o1', issuedAt: 7, expires: 9, cert: 'c1' };
  const issued = withIssued(st, 'r1', cert, true);
  assert.equal(issued.requests[0]?.status, 'issued');
  assert.equal(issued.requests[0]?.cert, 'c1');
  assert.equal(issued.autoSigned, 1);
  assert.equal(
    codeOf(() => approvable(issued, 'r1')),
    'NOT_FOUND',
    'an issued request is not pending',
  );
  const renewed = withRenewed(issued, { ...cert, issuedAt: 8, cert: 'c2' });
  assert.equal(renewed.requests[0]?.cert, 'c2', 'the request hands out the new certificate');
  assert.deepEqual(
    renewed.nodes.map((n) => n.cert),
    ['c2'],
  );
  const rejected = withRejected(issued, 'r2', 8);
  assert.equal(rejected.requests[1]?.status, 'rejected');
  assert.equal(
    codeOf(() => withRejected(rejected, 'r2', 9)),
    'NOT_FOUND',
  );
  const revoked = withRevoked(admit(issued, 3).st, node(3), 9);
  assert.equal(
    revoked.requests.find((r) => r.id === 'r3')?.status,
    'rejected',
    'pending requests of a revoked node',
  );
  assert.equal(withRevoked(revoked, node(3), 10).revoked.length, 1, 'revoked once');
  assert.equal(
    codeOf(() => withRevoked(revoked, 'not-a-node', 9)),
    'BAD_REQUEST',
  );
  assert.equal(
    codeOf(() => approvable(admit(emptyState(), 4).st, 'nope')),
    'NOT_FOUND',
  );
  const crl = withNextCrl(revoked);
  assert.deepEqual([crl.seq, crl.ids, crl.st.crlSeq], [1, [node(3)], 1]);
});
