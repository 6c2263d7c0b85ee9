/**
 * The enrollment server speaking HTTPS itself (`tls` in the config), with a certificate
 * made by OpenSSL for 127.0.0.1: the node trusts it through NODE_EXTRA_CA_CERTS and
 * enrolls as a real process; the admin cookie is marked Secure.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const TOKEN = 'tls-enrollment-token-123456';

describe('enroll-server over HTTPS', () => {
  let tmp: string;
  let server: EnrollServer;
  let pem: Buffer;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-enroll-tls-'));
    const [key, crt] = [join(tmp, 'tls.key'), join(tmp, 'tls.crt')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        crt,
      ],
      { stdio: 'ignore' },
    );
    pem = await readFile(crt);
    await CaStore.init(join(tmp, 'ca'), { cluster: 'tls-lab' });
    const cfg = validateConfig({
      caDir: join(tmp, 'ca'),
      listen: { host: '127.0.0.1', port: 0 },
      tls: { certFile: crt, keyFile: key },
      policy: 'auto',
      tokens: [{ token: TOKEN, once: false }],
      adminPasswordHash: await hashPassword('tls-admin-pw', 2 ** 12),
    });
    server = new EnrollServer({ ca: await CaStore.open(join(tmp, 'ca')), log: silentLogger() }, cfg);
    await server.start();
  });

  after(async () => {
    await server?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('a node enrolls over HTTPS; the admin session cookie is Secure', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const child = spawn(
      process.execPath,
      [
        BIN,
        'enroll',
        '--server',
        server.url,
        '--token',
        TOKEN,
        '--dir',
        join(tmp, 'node'),
        '--timeout',
        '30s',
      ],
      {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: join(tmp, 'tls.crt') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    assert.equal(await new Promise((r) => child.once('exit', r)), 0, out);
    assert.match(out, /enrolled: node [0-9a-f]{32} in cluster tls-lab/);

    const cookie = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${server.url}/admin/login`,
        { method: 'POST', ca: pem, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        (res) => {
          res.resume();
          resolve(String(res.headers['set-cookie']?.[0] ?? ''));
        },
      );
      req.on('error', reject);
      req.end('password=tls-admin-pw');
    });
    assert.match(cookie, /HttpOnly; SameSite=Strict; Path=\/; Secure$/);
  });
});
