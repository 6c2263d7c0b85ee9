import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { signsAutomatically } from '../../agent/enroll-server/policy.ts';
import { makeRequest } from '../../agent/lib/membership/request.ts';
import { makeCa, makeNode, NOW_S } from './fixtures.ts';

describe('CA store', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-ca-store-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  async function csr(cluster = 'lab') {
    const n = await makeNode(await makeCa(cluster));
    return makeRequest(
      { cluster, owner: 'o', signKey: n.sign.publicKey, kxKey: n.kx.publicKey, createdAt: NOW_S },
      n.sign.privateKey,
    );
  }

  it('policies: auto, approve, auto-then-approve', () => {
    assert.equal(signsAutomatically('auto', 0, 99), true);
    assert.equal(signsAutomatically('approve', 99, 0), false);
    assert.equal(signsAutomatically('auto-then-approve', 2, 1), true);
    assert.equal(signsAutomatically('auto-then-approve', 2, 2), false);
  });

  it('auto-then-approve holds under concurrent requests and across two processes on one dir', async () => {
    const dir = join(tmp, 'ca');
    await CaStore.init(dir, { cluster: 'lab' });
    const web = await CaStore.open(dir);
    const cli = await CaStore.open(dir);
    const sign = (st: { autoSigned: number }) => signsAutomatically('auto-then-approve', 2, st.autoSigned);
    const reqs = await Promise.all(Array.from({ length: 6 }, () => csr()));
    const recs = await Promise.all(reqs.map((r, i) => (i % 2 ? web : cli).submit(r, { token: 't', sign })));
    assert.equal(recs.filter((r) => r.status === 'issued').length, 2);
    await web.refresh();
    assert.equal(web.state.requests.length, 6);
    assert.equal(web.state.autoSigned, 2);
    const again = await web.submit(reqs[0]!, { token: 't', sign: true });
    assert.equal(again.id, recs[0]!.id, 'a repeated request returns the same record');
  });

  it('refuses a request of another cluster and a forged or revoked one', async () => {
    const dir = join(tmp, 'ca2');
    await CaStore.init(dir, { cluster: 'lab' });
    const ca = await CaStore.open(dir);
    await assert.rejects(ca.submit(await csr('other'), { token: 't', sign: true }), { code: 'BAD_REQUEST' });
    await assert.rejects(ca.submit(new Uint8Array([1, 2]), { token: 't', sign: true }), {
      code: 'BAD_REQUEST',
    });
    const r = await ca.submit(await csr(), { token: 't', sign: false });
    await ca.revoke(r.nodeId);
    assert.equal(ca.request(r.id)?.status, 'rejected', 'pending request of a revoked node is rejected');
    await assert.rejects(ca.approve(r.id), { code: 'NOT_FOUND' });
    await assert.rejects(CaStore.init(dir, { cluster: 'lab' }), { code: 'CA_EXISTS' });
    await assert.rejects(CaStore.init(join(tmp, 'x'), { cluster: 'bad name' }), {
      code: 'BAD_REQUEST',
    });
  });
});
