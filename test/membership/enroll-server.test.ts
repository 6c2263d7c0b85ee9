/** The enrollment service over real HTTP on 127.0.0.1: policies, tokens, CRL, the node client. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { enroll, refreshCrlFile } from '../../agent/lib/enrollment/client.ts';
import { validateConfig, type PolicyMode } from '../../agent/enroll-server/config.ts';
import { EnrollError } from '../../agent/lib/enrollment/errors.ts';
import { hashPassword, verifyPassword } from '../../agent/enroll-server/password.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';
import { loadNodeIdentity } from '../../agent/lib/enrollment/node-identity.ts';
import { statePaths } from '../../agent/lib/enrollment/node-keys.ts';
import { openRevocationList } from '../../agent/lib/membership/revocation.ts';
import { ConfigError } from '../../agent/lib/common/errors.ts';

const ONCE = 'one-time-token-0123456789';
const SHARED = 'shared-token-abcdefghijkl';
let tmp: string;
let hash: string;

async function setup(policy: PolicyMode, autoLimit = 10) {
  const dir = await mkdtemp(join(tmp, 'ca-'));
  await CaStore.init(dir, { cluster: 'lab' });
  const ca = await CaStore.open(dir);
  const cfg = validateConfig({
    caDir: dir,
    listen: { host: '127.0.0.1', port: 0 },
    policy,
    autoLimit,
    tokens: [{ token: ONCE }, { token: SHARED, once: false, label: 'fleet' }],
    adminPasswordHash: hash,
  });
  const server = new EnrollServer({ ca, log: silentLogger() }, cfg);
  await server.start();
  return { ca, server, url: server.url };
}

function node(url: string, token: string, name: string, timeoutMs = 0) {
  return enroll(
    { fetch, clock: { now: () => Date.now() }, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { server: url, token, dir: join(tmp, name), owner: name, pollMs: 50, timeoutMs },
  );
}

describe('enrollment server', () => {
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-enroll-'));
    hash = await hashPassword('pw-for-tests', 2 ** 12);
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('scrypt hashes verify only the right password', async () => {
    assert.equal(await verifyPassword('pw-for-tests', hash), true);
    assert.equal(await verifyPassword('pw-for-test', hash), false);
    assert.equal(await verifyPassword('x', 'scrypt$bad'), false);
  });

  it('config: unknown keys, short tokens and missing hash are refused', () => {
    const base = { caDir: '/x', tokens: [{ token: SHARED }], adminPasswordHash: hash };
    assert.throws(() => validateConfig({ ...base, colour: 1 }), /config colour: unknown key/);
    assert.throws(() => validateConfig({ ...base, tokens: [{ token: 'short' }] }), ConfigError);
    assert.throws(() => validateConfig({ ...base, adminPasswordHash: 'plain' }), ConfigError);
    assert.equal(validateConfig(base).policy, 'approve');
  });

  it("a node's unreadable enrollment file is the node's problem (NODE_STATE), not the CA's", async () => {
    const { server, url } = await setup('auto');
    try {
      const dir = join(tmp, 'broken-node');
      await mkdir(dir, { recursive: true });
      await writeFile(statePaths(dir).enrollment, '{not json');
      await assert.rejects(
        node(url, SHARED, 'broken-node'),
        (e: EnrollError) => e.code === 'NODE_STATE' && e.message.includes(statePaths(dir).enrollment),
      );
    } finally {
      await server.stop();
    }
  });

  it('auto policy signs at once; a one-time token works once; a bad token is refused', async () => {
    const { server, url } = await setup('auto');
    try {
      const c = await node(url, ONCE, 'n1');
      assert.equal(c.cluster, 'lab');
      await assert.rejects(node(url, ONCE, 'n2'), (e: EnrollError) => e.code === 'BAD_TOKEN');
      await assert.rejects(
        node(url, 'no-such-token-xxxxxxxx', 'n3'),
        (e: EnrollError) => e.code === 'BAD_TOKEN',
      );
      await node(url, SHARED, 'n4');
      await node(url, SHARED, 'n5');
    } finally {
      await server.stop();
    }
  });

  it('auto-then-approve signs N, then requests wait; a timeout leaves the request pending', async () => {
    const { ca, server, url } = await setup('auto-then-approve', 1);
    try {
      await node(url, SHARED, 'm1');
      await assert.rejects(node(url, SHARED, 'm2', 300), (e: EnrollError) => e.code === 'TIMEOUT');
      const pending = ca.state.requests.filter((r) => r.status === 'pending');
      assert.equal(pending.length, 1);
      await ca.approve(pending[0]!.id);
      const c = await node(url, SHARED, 'm2'); // resumes polling the same request
      assert.equal(c.nodeId, pending[0]!.nodeId);
    } finally {
      await server.stop();
    }
  });

  it('approve policy: rejection reaches the node; revocation shows in /crl and the node keeps the newest list', async () => {
    const { ca, server, url } = await setup('approve');
    try {
      const waiting = node(url, SHARED, 'r1', 20_000);
      const waitingReject = node(url, SHARED, 'r2', 20_000).then(
        () => 'ISSUED',
        (e: EnrollError) => e.code,
      );
      while (ca.state.requests.length < 2) {
        await new Promise((r) => setTimeout(r, 20));
        await ca.refresh();
      }
      const a = ca.state.requests.find((r) => r.owner === 'r1');
      const b = ca.state.requests.find((r) => r.owner === 'r2');
      await ca.approve(a!.id);
      await ca.reject(b!.id);
      const cert = await waiting;
      assert.equal(await waitingReject, 'REJECTED');
      const before = await loadNodeIdentity(join(tmp, 'r1'), Date.now());
      assert.equal(before.cert.nodeId, cert.nodeId);
      const other = await CaStore.open(ca.dir); // the CLI, next to the server
      await other.revoke(cert.nodeId);
      const raw = new Uint8Array(await (await fetch(`${url}/crl`)).arrayBuffer());
      const list = openRevocationList(raw, ca.authority, 'lab');
      assert.deepEqual(list.ids, [cert.nodeId]);
      assert.equal(await refreshCrlFile({ fetch }, url, join(tmp, 'r1'), ca.authority, 'lab'), list.seq);
      const held = openRevocationList(
        new Uint8Array(await readFile(join(tmp, 'r1', 'crl.bin'))),
        ca.authority,
        'lab',
      );
      assert.equal(held.seq, list.seq);
      const notice = await fetch(`${url}/notices/${cert.nodeId}`);
      assert.equal(notice.status, 200);
      const noticeBytes = new Uint8Array(await notice.arrayBuffer());
      // A node that still runs hears the notice by gossip: revoked once, then known.
      assert.deepEqual(before.membership.acceptNotice(noticeBytes), { ok: true, revoked: [cert.nodeId] });
      assert.deepEqual(before.membership.acceptNotice(noticeBytes), { ok: true, revoked: [] });
      const garbage = before.membership.acceptNotice(new Uint8Array([1, 2, 3]));
      assert.ok(!garbage.ok && garbage.error.code === 'MALFORMED');
      assert.ok(before.membership.acceptList(raw).ok);
      // A restarted node loads the newer list and refuses to run with a revoked certificate.
      await assert.rejects(loadNodeIdentity(join(tmp, 'r1'), Date.now()), { code: 'REVOKED' });
      await assert.rejects(node(url, SHARED, 'r1'), (e: EnrollError) => e.code === 'REJECTED');
    } finally {
      await server.stop();
    }
  });

  it('refuses oversize bodies and garbage requests with coded JSON errors', async () => {
    const { server, url } = await setup('auto');
    try {
      const big = await fetch(`${url}/api/requests`, { method: 'POST', body: 'x'.repeat(70_000) });
      assert.equal(big.status, 400);
      const bad = await fetch(`${url}/api/requests`, {
        method: 'POST',
        body: JSON.stringify({ token: SHARED, csr: 'AAAA' }),
      });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { error: string }).error, 'BAD_REQUEST');
      assert.equal((await fetch(`${url}/admin/approve`, { method: 'POST', redirect: 'manual' })).status, 303);
    } finally {
      await server.stop();
    }
  });
});
