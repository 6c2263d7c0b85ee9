/**
 * The enrollment page in a real browser (headless Chromium via playwright-core): a node
 * runs `p2p-update enroll` as a real process and waits; the admin signs in, approves it,
 * the node gets its certificate; the admin revokes it; GET /crl then lists the node.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';
import { verifyCertificate } from '../../agent/lib/membership/certificate.ts';
import { openRevocationList } from '../../agent/lib/membership/revocation.ts';

const PASSWORD = 'admin-pass-123';
const TOKEN = 'enroll-token-for-the-browser-test';
const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;

function waitForOutput(child: ChildProcess, re: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${re}; output: ${out}`)), ms);
    const on = (d: Buffer) => {
      out += d.toString();
      if (re.test(out)) {
        clearTimeout(t);
        resolve(out);
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
  });
}

describe('enrollment page in headless Chromium', () => {
  let tmp: string;
  let server: EnrollServer;
  let ca: CaStore;
  let ctx: BrowserContext;
  let node: ChildProcess | undefined;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-enroll-page-'));
    await CaStore.init(join(tmp, 'ca'), { cluster: 'campus' });
    ca = await CaStore.open(join(tmp, 'ca'));
    const cfg = validateConfig({
      caDir: join(tmp, 'ca'),
      listen: { host: '127.0.0.1', port: 0 },
      policy: 'approve',
      tokens: [{ token: TOKEN, once: false, owner: 'lab-pi' }],
      adminPasswordHash: await hashPassword(PASSWORD, 2 ** 14),
    });
    server = new EnrollServer({ ca, log: silentLogger() }, cfg);
    await server.start();
    ctx = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    node?.kill('SIGKILL');
    await ctx?.close();
    await server?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it(
    'admin signs in, approves the waiting node, revokes it; the CRL lists it',
    { timeout: 110_000 },
    async () => {
      const state = join(tmp, 'node');
      node = spawn(
        process.execPath,
        [
          BIN,
          'enroll',
          '--server',
          server.url,
          '--token',
          TOKEN,
          '--dir',
          state,
          '--poll-interval',
          '300ms',
          '--timeout',
          '90s',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<number>((r) => node!.once('exit', (code) => r(code ?? -1)));
      const waiting = await waitForOutput(node, /waiting for the certificate/, 30_000);
      const nodeId = /node ([0-9a-f]{32})/.exec(waiting)![1]!;

      const page = await ctx.newPage();
      await page.goto(`${server.url}/admin`);
      assert.match(await page.title(), /Sign in/);
      await page.getByLabel('Admin password').fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.match(await page.getByRole('alert').innerText(), /Wrong password/);
      await page.getByLabel('Admin password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: /Pending requests \(1\)/ }).waitFor();
      const cookies = await ctx.cookies();
      const sess = cookies.find((c) => c.name === 'p2pu_admin')!;
      assert.ok(sess.httpOnly && sess.sameSite === 'Strict', 'session cookie HttpOnly and SameSite=Strict');

      const row = page.getByRole('row').filter({ hasText: nodeId });
      assert.match(await row.innerText(), /lab-pi/);
      await row.getByRole('button', { name: `Approve node ${nodeId.slice(0, 8)}` }).click();
      await page.getByRole('status').filter({ hasText: 'Approved node' }).waitFor();

      assert.equal(await exited, 0, 'enroll exits 0 once approved');
      const cert = verifyCertificate(new Uint8Array(await readFile(join(state, 'node.cert'))), {
        ca: ca.authority,
        cluster: 'campus',
        now: Date.now(),
      });
      assert.equal(cert.nodeId, nodeId);
      assert.equal(cert.owner, 'lab-pi');

      // A forged POST without the CSRF token is refused even with the session cookie.
      const forged = await fetch(`${server.url}/admin/revoke`, {
        method: 'POST',
        headers: { cookie: `p2pu_admin=${sess.value}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: `nodeId=${nodeId}&confirm=yes`,
      });
      assert.equal(forged.status, 403);
      assert.equal(ca.isRevoked(nodeId), false);

      const enrolled = page.getByRole('row').filter({ hasText: nodeId });
      await enrolled.getByRole('button', { name: `Revoke… node ${nodeId.slice(0, 8)}` }).click();
      await page.getByRole('heading', { name: /Revoke node/ }).waitFor();
      await page.getByRole('button', { name: 'Revoke this node' }).click();
      await page.getByRole('heading', { name: /Revoked nodes \(1\)/ }).waitFor();
      await page.screenshot({ path: join(tmp, 'enroll-page.png'), fullPage: true }); // inside tmp: removed after

      const crl = openRevocationList(
        new Uint8Array(await (await fetch(`${server.url}/crl`)).arrayBuffer()),
        ca.authority,
        'campus',
      );
      assert.deepEqual(crl.ids, [nodeId]);
      assert.equal(crl.seq, 2);
      const poll = (await (
        await fetch(
          `${server.url}/api/requests/${JSON.parse(await readFile(join(state, 'enrollment.json'), 'utf8')).id}`,
        )
      ).json()) as {
        status: string;
      };
      assert.equal(poll.status, 'revoked');

      // The node's state follows: its periodic refresh (here run once) brings the new list.
      const refresher = spawn(
        process.execPath,
        [BIN, 'enroll', '--refresh-crl', '--server', server.url, '--dir', state],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const said = waitForOutput(refresher, /revocation list seq 2/, 30_000);
      assert.equal(await new Promise((r) => refresher.once('exit', r)), 0);
      await said;
      const held = openRevocationList(
        new Uint8Array(await readFile(join(state, 'crl.bin'))),
        ca.authority,
        'campus',
      );
      assert.deepEqual([held.seq, held.ids], [2, [nodeId]]);
    },
  );
});
