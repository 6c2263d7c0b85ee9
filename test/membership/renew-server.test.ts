/**
 * Certificate renewal at the enrollment server (POST /api/renew over real HTTP on
 * 127.0.0.1): a valid certificate + fresh request gets a new certificate with the same
 * node id and a later expiry, recorded by the CA; every refusal has its code.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { loadSecretKey } from '../../agent/lib/crypto/key-files.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { ensureNodeKeys, type NodeKeys } from '../../agent/lib/enrollment/node-keys.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';
import { decodeCertificate, issueCertificate } from '../../agent/lib/membership/certificate.ts';
import { makeRequest } from '../../agent/lib/membership/request.ts';
import { makeCa, makeNode } from './fixtures.ts';

const DAY = 86_400_000;
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('certificate renewal: POST /api/renew', () => {
  let tmp: string;
  let ca: CaStore;
  let server: EnrollServer;
  const now = { t: Date.UTC(2026, 10, 22, 12) };
  const clock = { now: () => now.t };
  let n = 0;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-renew-'));
    await CaStore.init(join(tmp, 'ca'), { cluster: 'lab', certDays: 30 });
    ca = await CaStore.open(join(tmp, 'ca'), clock);
    const cfg = validateConfig({
      caDir: join(tmp, 'ca'),
      listen: { host: '127.0.0.1', port: 0 },
      policy: 'approve', // renewal needs no token and no approval
      tokens: [{ token: 'unused-token-0123456789' }],
      adminPasswordHash: await hashPassword('pw', 2 ** 12),
    });
    server = new EnrollServer({ ca, log: silentLogger() }, cfg);
    await server.start();
  });
  after(async () => {
    await server.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  interface Signer {
    readonly signKey: Uint8Array;
    readonly secret: Uint8Array;
    readonly kxKey: Uint8Array;
  }
  const of = (k: NodeKeys): Signer => ({
    signKey: k.sign.publicKey.bytes,
    secret: k.sign.sodiumKey,
    kxKey: k.kx.publicKey,
  });

  function csr(k: NodeKeys | Signer, over: { createdAt?: number; cluster?: string } = {}) {
    const s = 'secret' in k ? k : of(k);
    return makeRequest(
      {
        cluster: over.cluster ?? 'lab',
        owner: 'someone-else', // the renewed certificate keeps the owner it had
        signKey: s.signKey,
        kxKey: s.kxKey,
        createdAt: over.createdAt ?? Math.floor(now.t / 1000),
      },
      s.secret,
    );
  }

  /** A node enrolled (signed at once, as `ca sign` does) at the current time. */
  async function enrolled(): Promise<{ keys: NodeKeys; cert: Uint8Array }> {
    const keys = await ensureNodeKeys(join(tmp, `node-${n++}`));
    const rec = await ca.submit(
      await makeRequest(
        {
          cluster: 'lab',
          owner: 'pi-1',
          signKey: keys.sign.publicKey.bytes,
          kxKey: keys.kx.publicKey,
          createdAt: Math.floor(now.t / 1000),
        },
        keys.sign.sodiumKey,
      ),
      { token: 't', sign: true },
    );
    return { keys, cert: new Uint8Array(Buffer.from(rec.cert!, 'base64')) };
  }

  async function renew(body: unknown) {
    const res = await fetch(`${server.url}/api/renew`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  it('renews a valid certificate: same node id, keys and owner; later expiry; the CA records it', async () => {
    const { keys, cert } = await enrolled();
    const old = decodeCertificate(cert);
    now.t += 20 * DAY;
    const r = await renew({ cert: b64(cert), csr: b64(await csr(keys)) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const fresh = decodeCertificate(Buffer.from(r.body['cert']!, 'base64'));
    assert.equal(fresh.nodeId, old.nodeId);
    assert.equal(r.body['nodeId'], old.nodeId);
    assert.deepEqual([fresh.signKey, fresh.kxKey, fresh.owner], [old.signKey, old.kxKey, 'pi-1']);
    assert.equal(fresh.expires, old.expires + 20 * 86400, 'expiry moved forward by the time passed');
    assert.equal(fresh.issuedAt, Math.floor(now.t / 1000));
    const again = await CaStore.open(ca.dir); // what `ca list` reads
    const rec = again.state.nodes.filter((x) => x.nodeId === old.nodeId);
    assert.equal(rec.length, 1, 'one record per node');
    assert.equal(rec[0]!.expires, fresh.expires);
    assert.equal(rec[0]!.cert, r.body['cert']);
    const req = again.state.requests.find((x) => x.nodeId === old.nodeId)!;
    assert.equal(
      req.cert,
      r.body['cert'],
      'a re-run of enroll gets the renewed certificate, not the old one',
    );
    // and a renewed certificate renews in turn
    now.t += DAY;
    const r2 = await renew({ cert: r.body['cert'], csr: b64(await csr(keys)) });
    assert.equal(r2.status, 200);
    assert.equal(decodeCertificate(Buffer.from(r2.body['cert']!, 'base64')).expires, fresh.expires + 86400);
  });

  it('refuses a certificate of another CA and of another cluster (BAD_CERT)', async () => {
    const other = await makeCa('lab');
    const stranger = await makeNode(other, {
      issuedAt: Math.floor(now.t / 1000),
      expires: Math.floor(now.t / 1000) + 86400,
    });
    const foreign = await renew({
      cert: b64(stranger.cert),
      csr: b64(
        await csr({
          signKey: stranger.sign.publicKey,
          secret: stranger.sign.privateKey,
          kxKey: stranger.kx.publicKey,
        }),
      ),
    });
    assert.deepEqual([foreign.status, foreign.body['error']], [403, 'BAD_CERT']);
    assert.match(foreign.body['message']!, /not signed by CA/);

    const { keys: k2, cert } = await enrolled();
    const c = decodeCertificate(cert);
    const secret = await loadSecretKey(join(ca.dir, 'ca.key'));
    const otherCluster = await issueCertificate(
      { ...c, cluster: 'elsewhere' },
      { keyId: ca.config.keyId, secretKey: secret.sodiumKey },
    );
    const r = await renew({ cert: b64(otherCluster), csr: b64(await csr(k2)) });
    assert.deepEqual([r.status, r.body['error']], [403, 'BAD_CERT']);
    assert.match(r.body['message']!, /cluster "elsewhere"/);
    const r2 = await renew({ cert: b64(cert), csr: b64(await csr(k2, { cluster: 'elsewhere' })) });
    assert.deepEqual([r2.status, r2.body['error']], [400, 'BAD_REQUEST']);
  });

  it('refuses a revoked node (REVOKED) and an expired certificate (EXPIRED: enroll again)', async () => {
    const a = await enrolled();
    await ca.revoke(decodeCertificate(a.cert).nodeId);
    const r = await renew({ cert: b64(a.cert), csr: b64(await csr(a.keys)) });
    assert.deepEqual([r.status, r.body['error']], [403, 'REVOKED']);

    const b = await enrolled();
    const exp = decodeCertificate(b.cert).expires;
    now.t = exp * 1000 + 1000;
    const r2 = await renew({ cert: b64(b.cert), csr: b64(await csr(b.keys)) });
    assert.deepEqual([r2.status, r2.body['error']], [403, 'EXPIRED']);
    assert.match(r2.body['message']!, /cannot be renewed; enroll again with a token/);
    assert.equal(ca.state.nodes.find((x) => x.nodeId === decodeCertificate(b.cert).nodeId)!.expires, exp);
  });

  it('refuses keys that are not the certificate’s, a stale request and a bad signature', async () => {
    const a = await enrolled();
    const b = await enrolled();
    const mismatch = await renew({ cert: b64(a.cert), csr: b64(await csr(b.keys)) });
    assert.deepEqual([mismatch.status, mismatch.body['error']], [403, 'KEY_MISMATCH']);

    const nowS = Math.floor(now.t / 1000);
    for (const createdAt of [nowS - 3600, nowS + 3600]) {
      const stale = await renew({ cert: b64(a.cert), csr: b64(await csr(a.keys, { createdAt })) });
      assert.deepEqual([stale.status, stale.body['error']], [400, 'STALE_REQUEST']);
    }
    const ok = await renew({ cert: b64(a.cert), csr: b64(await csr(a.keys, { createdAt: nowS - 300 })) });
    assert.equal(ok.status, 200, 'five minutes of skew are fine');

    const bad = await csr(a.keys);
    bad[bad.length - 5]! ^= 1;
    const forged = await renew({ cert: b64(a.cert), csr: b64(bad) });
    assert.deepEqual([forged.status, forged.body['error']], [400, 'BAD_REQUEST']);
    const missing = await renew({ cert: b64(a.cert) });
    assert.deepEqual([missing.status, missing.body['error']], [400, 'BAD_REQUEST']);
    const garbage = await renew({ cert: 'AAAA', csr: b64(await csr(a.keys)) });
    assert.deepEqual([garbage.status, garbage.body['error']], [403, 'BAD_CERT']);
  });
});
