import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MembershipError } from '../../agent/lib/membership/errors.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import {
  openRevocationList,
  openRevocationNotice,
  signRevocationList,
  signRevocationNotice,
} from '../../agent/lib/membership/revocation.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { makeCa, NOW_S, type TestCa } from './fixtures.ts';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('revocation list and notices', () => {
  let ca: TestCa;
  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
  });

  it('round-trips a signed list and refuses another CA or cluster', async () => {
    const raw = await signRevocationList({ cluster: 'lab', seq: 3, issuedAt: NOW_S, ids: [B, A, A] }, ca);
    const l = openRevocationList(raw, ca, 'lab');
    assert.deepEqual(l.ids, [A, B]);
    assert.equal(l.seq, 3);
    const other = await makeCa('lab');
    assert.throws(() => openRevocationList(raw, other, 'lab'), { code: 'WRONG_CA' });
    assert.throws(() => openRevocationList(raw, ca, 'prod'), { code: 'WRONG_CLUSTER' });
    const flipped = new Uint8Array(raw);
    flipped[flipped.length - 80]! ^= 4;
    assert.throws(() => openRevocationList(flipped, ca, 'lab'), MembershipError);
  });

  it('a notice cannot be read as a list (domain separation) and vice versa', async () => {
    const n = await signRevocationNotice({ cluster: 'lab', nodeId: A, issuedAt: NOW_S }, ca);
    assert.equal(openRevocationNotice(n, ca, 'lab').nodeId, A);
    assert.throws(() => openRevocationList(n, ca, 'lab'));
  });

  it('never replaces a list with an older one (STALE_CRL) and keeps ids forever', async () => {
    const st = new RevocationState();
    const heard: string[] = [];
    st.onRevoked((id) => heard.push(id));
    assert.deepEqual(st.acceptList({ cluster: 'lab', seq: 2, issuedAt: NOW_S, ids: [A] }), [A]);
    assert.throws(() => st.acceptList({ cluster: 'lab', seq: 1, issuedAt: NOW_S, ids: [] }), {
      code: 'STALE_CRL',
    });
    assert.throws(() => st.acceptList({ cluster: 'lab', seq: 2, issuedAt: NOW_S, ids: [B] }), {
      code: 'STALE_CRL',
    });
    assert.deepEqual(st.acceptList({ cluster: 'lab', seq: 2, issuedAt: NOW_S, ids: [A] }), []);
    assert.deepEqual(st.acceptList({ cluster: 'lab', seq: 5, issuedAt: NOW_S, ids: [A, B] }), [B]);
    assert.equal(st.seq, 5);
    assert.equal(st.acceptNotice({ cluster: 'lab', nodeId: B, issuedAt: NOW_S }), false);
    const C = 'c'.repeat(32);
    assert.equal(st.acceptNotice({ cluster: 'lab', nodeId: C, issuedAt: NOW_S }), true);
    assert.ok(st.isRevoked(C) && st.isRevoked(A) && !st.isRevoked('d'.repeat(32)));
    assert.deepEqual(heard, [A, B, C]);
  });
});
