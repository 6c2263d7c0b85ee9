/**
 * `p2p-update enroll --renew` as a real process against a real enrollment server on
 * 127.0.0.1: it replaces node.cert with a renewed certificate (same node id, later
 * expiry); on a refusal or an unreachable server it exits 1 with `error CODE: ...` and
 * leaves node.cert as it was.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';
import { decodeCertificate } from '../../agent/lib/membership/certificate.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const TOKEN = 'renew-cli-token-0123456789';
function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(stdin);
  return new Promise((r) => child.once('exit', (code) => r({ code: code ?? -1, out, err })));
}

// Generous: each of its 9 CLI runs starts node + tsx (~1 s idle, ~10 s on a starved box).
describe('p2p-update enroll --renew', { timeout: 300_000 }, () => {
  let tmp: string;
  let server: EnrollServer;
  let ca: CaStore;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-renew-cli-'));
    await CaStore.init(join(tmp, 'ca'), { cluster: 'renew-lab' });
    ca = await CaStore.open(join(tmp, 'ca'));
    const cfg = validateConfig({
      caDir: join(tmp, 'ca'),
      listen: { host: '127.0.0.1', port: 0 },
      policy: 'auto',
      tokens: [{ token: TOKEN, once: false }],
      adminPasswordHash: await hashPassword('cli-admin-pw', 2 ** 12),
    });
    server = new EnrollServer({ ca, log: silentLogger() }, cfg);
    await server.start();
  });

  after(async () => {
    await server?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  const certOf = async (dir: string) => new Uint8Array(await readFile(join(dir, 'node.cert')));

  it('renews node.cert in place: same node id, later expiry; --show and ca list show it', async () => {
    const dir = join(tmp, 'node');
    const nothing = await cli(['enroll', '--renew', '--server', server.url, '--dir', dir]);
    assert.equal(nothing.code, 1, 'nothing to renew before enrolling');
    assert.match(nothing.err, /error NOT_FOUND: .*node\.cert missing/);
    const first = await cli(
      ['enroll', '--server', server.url, '--token-file', '-', '--dir', dir],
      `${TOKEN}\n`,
    );
    assert.equal(first.code, 0, first.out + first.err);
    const before = decodeCertificate(await certOf(dir));

    await new Promise((r) => setTimeout(r, 1100)); // a later second: a visibly later expiry
    const r = await cli(['enroll', '--renew', '--server', server.url, '--dir', dir]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, new RegExp(`renewed: node ${before.nodeId}, certificate .*node\\.cert valid until`));
    const after = decodeCertificate(await certOf(dir));
    assert.equal(after.nodeId, before.nodeId);
    assert.ok(after.expires > before.expires, `${after.expires} > ${before.expires}`);
    assert.ok(after.issuedAt > before.issuedAt);

    const show = await cli(['enroll', '--show', '--dir', dir]);
    assert.equal(show.code, 0, show.err);
    assert.equal(
      (JSON.parse(show.out) as { expires: string }).expires,
      new Date(after.expires * 1000).toISOString(),
    );
    const list = await cli(['ca', 'list', '--dir', join(tmp, 'ca')]);
    assert.match(
      list.out,
      new RegExp(
        `enrolled ${before.nodeId} .* expires ${new Date(after.expires * 1000).toISOString().replace('.000Z', 'Z')}`,
      ),
    );
    assert.equal(ca.state.requests.length, 1, 'no new enrollment request');
  });

  it('on failure keeps the old certificate and exits 1 with the code', async () => {
    const dir = join(tmp, 'failing');
    const first = await cli(
      ['enroll', '--server', server.url, '--token-file', '-', '--dir', dir],
      `${TOKEN}\n`,
    );
    assert.equal(first.code, 0, first.out + first.err);
    const held = await certOf(dir);

    const down = await cli(['enroll', '--renew', '--server', 'http://127.0.0.1:9', '--dir', dir]);
    assert.equal(down.code, 1, down.out + down.err);
    assert.match(down.err, /^error SERVER: cannot reach/m);
    assert.deepEqual(await certOf(dir), held, 'unchanged after an unreachable server');

    await ca.revoke(decodeCertificate(held).nodeId);
    const revoked = await cli(['enroll', '--renew', '--server', server.url, '--dir', dir]);
    assert.equal(revoked.code, 1, revoked.out + revoked.err);
    assert.match(revoked.err, /^error REVOKED: server refused the renewal: node [0-9a-f]{32} is revoked/m);
    assert.deepEqual(await certOf(dir), held, 'unchanged after a refusal');

    const both = await cli(['enroll', '--renew', '--refresh-crl', '--server', server.url, '--dir', dir]);
    assert.equal(both.code, 2, both.err);
  });
});
