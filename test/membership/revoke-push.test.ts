/**
 * Getting a revocation into the overlay from where the admin revokes: `ca revoke
 * --notices-dir DIR` and the enrollment server's `noticesDirs` drop the CA-signed notice
 * into a natm notices dir, where NoticeDir (as in a running natm) picks it up and hands it
 * to gossip. Real files, the real `p2p-update` process, the real server over HTTP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../agent/lib/common/errors.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { NoticeDir } from '../../agent/lib/enrollment/notice-dir.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';
import { ClusterMembership } from '../../agent/lib/membership/cluster-membership.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { makeRequest } from '../../agent/lib/membership/request.ts';
import { RevocationBook } from '../../agent/lib/membership/revocation-book.ts';
import { openRevocationList, openRevocationNotice } from '../../agent/lib/membership/revocation.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureLinks } from '../../agent/lib/membership/secure-links.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { makeCa, makeNode, random } from './fixtures.ts';
import { SimNet } from './sim-net.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const PASSWORD = 'revoke-push-admin-pw';
const someId = () => randomBytes(16).toString('hex');

/** A node enrolled with the CA store: its link identity (certificate + kx key). */
async function enrolled(ca: CaStore) {
  const n = await makeNode(await makeCa(ca.cluster)); // keys only; the CA below signs
  const csr = await makeRequest(
    {
      cluster: ca.cluster,
      owner: 'ops',
      signKey: n.sign.publicKey,
      kxKey: n.kx.publicKey,
      createdAt: Math.floor(Date.now() / 1000),
    },
    n.sign.privateKey,
  );
  const rec = await ca.submit(csr, { token: 'test', sign: true });
  return {
    nodeId: rec.nodeId,
    identity: { cert: new Uint8Array(Buffer.from(rec.cert!, 'base64')), kx: n.kx },
  };
}

/** What a running natm does with its notices dir: NoticeDir → gossip's RevocationBook. */
function watcher(ca: CaStore, dir: string) {
  const revocation = new RevocationState();
  const init = { ca: ca.authority, cluster: ca.cluster };
  const book = new RevocationBook({ membership: new ClusterMembership({ revocation }, init), revocation });
  const published: Uint8Array[] = [];
  const nd = new NoticeDir(
    {
      clock: new FakeClock(),
      log: silentLogger(),
      publish: (n) => {
        published.push(n);
        return book.accept(n);
      },
    },
    { dir, scanMs: 1000 },
  );
  return { revocation, book, published, nd };
}

describe('revocation pushed from where the admin revokes', () => {
  let tmp: string;
  let hash: string;
  before(async () => {
    await membershipReady();
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-revoke-push-'));
    hash = await hashPassword(PASSWORD, 2 ** 12);
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('ca revoke --notices-dir: the notice lands in each dir, a NoticeDir publishes it, the session with the node ends', async () => {
    const caDir = join(tmp, 'ca-cli');
    await CaStore.init(caDir, { cluster: 'plant' });
    const ca = await CaStore.open(caDir);
    const victim = await enrolled(ca);
    const observer = await enrolled(ca);
    const natmDir = join(tmp, 'natm-notices');
    const second = join(tmp, 'natm2-notices');
    await mkdir(natmDir);
    await mkdir(second);
    const w = watcher(ca, natmDir);
    await w.nd.start(); // natm already running, its dir empty
    assert.deepEqual(w.published, []);

    // A live certificate session between the observer (natm's node) and the victim.
    const net = new SimNet();
    const clock = { now: () => Date.now() };
    const links = (id: typeof victim, revocation: RevocationState) =>
      new SecureLinks(
        { clock, random, revocation },
        { identity: id.identity, ca: ca.authority, cluster: ca.cluster },
      );
    net.add('obs', links(observer, w.revocation));
    net.add('vic', links(victim, new RevocationState()));
    net.send('vic', 'obs', 'before');
    net.run();
    assert.deepEqual(net.texts('obs'), ['before']);
    assert.equal(net.nodes.get('obs')!.peerOn('vic'), victim.nodeId);

    const r = cli([
      'ca',
      'revoke',
      victim.nodeId,
      '--dir',
      caDir,
      '--notices-dir',
      natmDir,
      '--notices-dir',
      second,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`notice dropped in ${join(natmDir, `${victim.nodeId}.revoke`)}`));
    assert.match(r.stdout, new RegExp(`notice dropped in ${join(second, `${victim.nodeId}.revoke`)}`));
    for (const d of [natmDir, second])
      assert.deepEqual(await readdir(d), [`${victim.nodeId}.revoke`], 'one file, no temporary left');
    const dropped = new Uint8Array(await readFile(join(natmDir, `${victim.nodeId}.revoke`)));
    assert.deepEqual(
      dropped,
      new Uint8Array(await readFile(join(caDir, 'notices', `${victim.nodeId}.revoke`))),
    );

    assert.deepEqual(await w.nd.scan(), [victim.nodeId], 'the next scan publishes it');
    assert.deepEqual(w.published, [dropped]);
    assert.ok(w.revocation.isRevoked(victim.nodeId) && w.book.isRevoked(victim.nodeId));
    assert.equal(w.book.notices().length, 1, 'held for anti-entropy');
    assert.equal(net.nodes.get('obs')!.peerOn('vic'), undefined, 'session dropped at once');
    net.send('vic', 'obs', 'after');
    net.run();
    assert.deepEqual(net.texts('obs'), ['before'], 'the revoked node is no longer heard');
    w.nd.stop();
  });

  it('ca revoke with a bad --notices-dir exits 1 with one coded line; the revocation is recorded anyway', async () => {
    const caDir = join(tmp, 'ca-bad');
    await CaStore.init(caDir, { cluster: 'plant' });
    const good = join(tmp, 'good-notices');
    await mkdir(good);
    const file = join(tmp, 'a-file');
    await writeFile(file, 'x');
    const missing = join(tmp, 'no-such-dir');
    const id = someId();
    const r = cli(['ca', 'revoke', id, '--dir', caDir, '--notices-dir', missing, '--notices-dir', good]);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      new RegExp(
        `^error NOTICE_DIR: node ${id} is revoked \\(recorded in the CA\\), but its notice could not be written to ${missing} \\(ENOENT\\); copy .*notices/${id}\\.revoke there by hand$`,
      ),
    );
    assert.deepEqual(await readdir(good), [`${id}.revoke`], 'the good dir got it all the same');
    const ca = await CaStore.open(caDir);
    assert.ok(ca.isRevoked(id), 'recorded in the CA state');
    assert.deepEqual(openRevocationList(ca.crl, ca.authority, 'plant').ids, [id], 'and in the signed list');
    await assert.rejects(stat(missing), { code: 'ENOENT' }, 'a mistyped dir is not created');

    const id2 = someId();
    const f = cli(['ca', 'revoke', id2, '--dir', caDir, '--notices-dir', file]);
    assert.equal(f.status, 1);
    assert.match(f.stderr, new RegExp(`^error NOTICE_DIR: node ${id2} is revoked .* ${file} \\(ENOTDIR\\);`));
    await ca.refresh();
    assert.ok(ca.isRevoked(id2));

    const u = cli(['ca', 'list', '--dir', caDir, '--notices-dir', good]);
    assert.equal(u.status, 2);
    assert.match(u.stderr, /^usage error: --notices-dir is for "ca revoke" only/);
  });

  it('enroll-server config: noticesDirs is a list of paths, resolved against the config file', () => {
    const base = { caDir: 'ca', tokens: [{ token: 'x'.repeat(16) }], adminPasswordHash: hash };
    assert.deepEqual(validateConfig(base, '/etc/p2pu').noticesDirs, []);
    assert.deepEqual(
      validateConfig({ ...base, noticesDirs: ['notices', '/var/lib/n', 'notices'] }, '/etc/p2pu').noticesDirs,
      ['/etc/p2pu/notices', '/var/lib/n'],
    );
    for (const bad of ['/var/lib/n', [''], [3], Array.from({ length: 17 }, (_, i) => `/d${i}`)])
      assert.throws(
        () => validateConfig({ ...base, noticesDirs: bad }),
        (e: Error) =>
          e instanceof ConfigError &&
          /config noticesDirs(\[0\])?: expected (a list of at most 16 directory paths|a directory path)/.test(
            e.message,
          ),
      );
  });

  /** Signs in over HTTP, revokes `id` from the page; returns the flash message shown after. */
  async function revokeFromPage(url: string, id: string): Promise<string> {
    const login = await fetch(`${url}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: PASSWORD }),
      redirect: 'manual',
    });
    assert.equal(login.status, 303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await fetch(`${url}/admin`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const res = await fetch(`${url}/admin/revoke`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, nodeId: id, confirm: 'yes' }),
      redirect: 'manual',
    });
    assert.equal(res.status, 303);
    const to = res.headers.get('location')!;
    const shown = await (await fetch(`${url}${to}`, { headers: { cookie } })).text();
    const flash = new URL(to, url).searchParams.get('msg')!;
    assert.ok(shown.includes('role="status"'), 'the page shows the message');
    return flash;
  }

  async function server(caDir: string, noticesDirs: string[]) {
    const ca = await CaStore.open(caDir);
    const cfg = validateConfig({
      caDir,
      listen: { host: '127.0.0.1', port: 0 },
      tokens: [{ token: 'y'.repeat(16) }],
      adminPasswordHash: hash,
      noticesDirs,
    });
    const s = new EnrollServer({ ca, log: silentLogger() }, cfg);
    await s.start();
    return { ca, s };
  }

  it('the admin page revoke drops the notice in noticesDirs and says where; NoticeDir accepts it', async () => {
    const caDir = join(tmp, 'ca-web');
    await CaStore.init(caDir, { cluster: 'campus' });
    const natmDir = join(tmp, 'web-notices');
    await mkdir(natmDir);
    const { ca, s } = await server(caDir, [natmDir]);
    try {
      const victim = await enrolled(ca);
      const flash = await revokeFromPage(s.url, victim.nodeId);
      const path = join(natmDir, `${victim.nodeId}.revoke`);
      assert.match(flash, new RegExp(`^Revoked node ${victim.nodeId}; revocation list is now seq 2\\.`));
      assert.ok(flash.includes(`Notice dropped for gossip in ${path}.`), flash);
      const bytes = new Uint8Array(await readFile(path));
      assert.equal(openRevocationNotice(bytes, ca.authority, 'campus').nodeId, victim.nodeId);
      const w = watcher(ca, natmDir);
      await w.nd.start();
      w.nd.stop();
      assert.deepEqual(w.published, [bytes]);
      assert.ok(w.revocation.isRevoked(victim.nodeId));
    } finally {
      await s.stop();
    }
  });

  it('the admin page revoke with a bad noticesDir says it was not done there; the revocation stands', async () => {
    const caDir = join(tmp, 'ca-web-bad');
    await CaStore.init(caDir, { cluster: 'campus' });
    const missing = join(tmp, 'web-missing');
    const { ca, s } = await server(caDir, [missing]);
    try {
      const id = someId();
      const flash = await revokeFromPage(s.url, id);
      assert.match(flash, new RegExp(`^Revoked node ${id}; revocation list is now seq 2\\. NOT DONE: `));
      assert.ok(flash.includes(`${missing} (ENOENT)`), flash);
      await ca.refresh();
      assert.ok(ca.isRevoked(id));
      assert.deepEqual(openRevocationList(ca.crl, ca.authority, 'campus').ids, [id]);
      const notice = await fetch(`${s.url}/notices/${id}`);
      assert.equal(notice.status, 200, 'the notice is still served for copying by hand');
    } finally {
      await s.stop();
    }
  });

  it('without noticesDirs the page says where the notice is and how it reaches the nodes', async () => {
    const caDir = join(tmp, 'ca-web-none');
    await CaStore.init(caDir, { cluster: 'campus' });
    const { s } = await server(caDir, []);
    try {
      const id = someId();
      const flash = await revokeFromPage(s.url, id);
      assert.ok(flash.includes(`Notice written to ${join(caDir, 'notices', `${id}.revoke`)}`), flash);
      assert.match(flash, /next revocation-list refresh/);
    } finally {
      await s.stop();
    }
  });
});
