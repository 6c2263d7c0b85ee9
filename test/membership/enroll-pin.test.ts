/**
 * The CA key pinned at enrollment, and no clear-text HTTP off this host (issue 16 item 10):
 * `p2p-update enroll` as a real process against real enrollment servers on loopback. An
 * impostor server with another CA is refused before any request is sent, whether the pin
 * is a fingerprint given by the admin or a ca.pub held from an earlier contact; the
 * right one is taken; without a pin the CA is trusted on first use, and said so. The
 * fingerprint `ca init` prints is the one openssl computes from ca.pub.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { checkServerUrl } from '../../agent/lib/enrollment/ca-pin.ts';
import { EnrollError } from '../../agent/lib/enrollment/errors.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const TOKEN = 'pin-enrollment-token-0123456789';

function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(stdin);
  return new Promise((r) => child.once('exit', (code) => r({ code: code ?? -1, out, err })));
}

describe('enroll pins the CA key and refuses http:// off this host', { timeout: 300_000 }, () => {
  let tmp: string;
  const servers: EnrollServer[] = [];
  const cas: CaStore[] = [];
  const fps: string[] = [];

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-enroll-pin-'));
    for (const name of ['real', 'impostor']) {
      const dir = join(tmp, name);
      const init = await cli(['ca', 'init', '--dir', dir, '--cluster', 'pin-lab']);
      assert.equal(init.code, 0, init.err);
      fps.push(/fingerprint (SHA256:[A-Za-z0-9+/]{43}) /.exec(init.out)![1]!);
      const ca = await CaStore.open(dir);
      const cfg = validateConfig({
        caDir: dir,
        listen: { host: '127.0.0.1', port: 0 },
        policy: 'auto',
        tokens: [{ token: TOKEN, once: false }],
        adminPasswordHash: await hashPassword('pin-admin-pw', 2 ** 12),
      });
      const s = new EnrollServer({ ca, log: silentLogger() }, cfg);
      await s.start();
      servers.push(s);
      cas.push(ca);
    }
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  const enroll = (server: EnrollServer, dir: string, extra: string[] = []) =>
    cli(
      ['enroll', '--server', server.url, '--token-file', '-', '--dir', join(tmp, dir), ...extra],
      `${TOKEN}\n`,
    );
  const requests = async (i: number) =>
    (await CaStore.open(join(tmp, ['real', 'impostor'][i]!))).state.requests.length;

  it('the printed fingerprint is what openssl computes from ca.pub', () => {
    const der = spawnSync('openssl', [
      'pkey',
      '-pubin',
      '-in',
      join(tmp, 'real', 'ca.pub'),
      '-outform',
      'DER',
    ]);
    assert.equal(der.status, 0, String(der.stderr));
    const digest = spawnSync('openssl', ['dgst', '-sha256', '-binary'], { input: der.stdout.subarray(-32) });
    assert.equal(fps[0], `SHA256:${digest.stdout.toString('base64').replace(/=+$/, '')}`);
    assert.notEqual(fps[0], fps[1]);
  });

  it('an impostor CA is refused WRONG_CA before any request; the real one is taken', async () => {
    const bad = await enroll(servers[1]!, 'pinned', ['--ca-fingerprint', fps[0]!]);
    assert.equal(bad.code, 1, bad.out + bad.err);
    assert.match(bad.err, /^error WRONG_CA: the server's CA key SHA256:\S+ is not the expected SHA256:/);
    assert.equal(await requests(1), 0, 'no request reached the impostor');
    assert.ok(!existsSync(join(tmp, 'pinned', 'ca.pub')), 'nothing pinned');
    const good = await enroll(servers[0]!, 'pinned', ['--ca-fingerprint', fps[0]!]);
    assert.equal(good.code, 0, good.out + good.err);
    assert.doesNotMatch(good.out, /on first use/);
  });

  it('without a pin: trusted on first use (said so), then pinned in ca.pub against an impostor', async () => {
    const first = await enroll(servers[0]!, 'tofu');
    assert.equal(first.code, 0, first.err);
    assert.match(
      first.out,
      new RegExp(`trusting the CA ${fps[0]!.replace(/[+/]/g, '\\$&')} .* on first use`),
    );
    const renewAtImpostor = await enroll(servers[1]!, 'tofu');
    assert.equal(renewAtImpostor.code, 1);
    assert.match(renewAtImpostor.err, /^error WRONG_CA: .* is not the CA SHA256:\S+ pinned in /);
  });

  it('a malformed fingerprint is a usage error (exit 2)', async () => {
    const r = await enroll(servers[0]!, 'typo', ['--ca-fingerprint', 'SHA256:abc']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--ca-fingerprint: expected SHA256:/);
  });

  it('http:// to a host that is not this one is refused INSECURE_URL, in every mode, sending nothing', async () => {
    for (const mode of [[], ['--renew'], ['--refresh-crl']]) {
      const r = await cli([
        'enroll',
        ...mode,
        '--server',
        'http://198.18.0.1:8470',
        '--token',
        TOKEN,
        '--dir',
        join(tmp, 'x'),
      ]);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /^error INSECURE_URL: refusing http:\/\/198\.18\.0\.1:8470/);
    }
  });

  it('checkServerUrl: loopback and https pass; http elsewhere only with insecure', () => {
    for (const ok of [
      'http://127.0.0.1:1',
      'http://127.3.4.5',
      'http://[::1]:8470',
      'http://localhost:8',
      'https://198.18.0.1',
    ])
      assert.ok(checkServerUrl(ok, false), ok);
    for (const bad of [
      'http://198.18.0.1',
      'http://10.1.0.1:8470',
      'http://[fd00::1]',
      'http://localhost.example.org',
    ])
      assert.throws(
        () => checkServerUrl(bad, false),
        (e: unknown) => e instanceof EnrollError && e.code === 'INSECURE_URL',
        bad,
      );
    assert.ok(checkServerUrl('http://198.18.0.1', true));
    assert.throws(() => checkServerUrl('ftp://198.18.0.1', true), /https:\/\//);
  });
});
