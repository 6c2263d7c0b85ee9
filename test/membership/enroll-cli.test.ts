/**
 * `p2p-update enroll` as a real process, for what the Ansible role relies on: the token
 * read from stdin (`--token-file -`, so it is not in argv), `--show` printing the node id
 * the state dir holds without contacting the server, and a re-run on an enrolled dir
 * making no new keys and no new request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { loadPublicKey } from '../../agent/lib/crypto/key-files.ts';
import { caFingerprint } from '../../agent/lib/enrollment/ca-pin.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const TOKEN = 'cli-enrollment-token-0123456789';

function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(stdin);
  return new Promise((r) => child.once('exit', (code) => r({ code: code ?? -1, out, err })));
}

// Generous: each of its 7 CLI runs starts node + tsx (~1 s idle, ~10 s on a starved box).
describe('p2p-update enroll: --token-file and --show', { timeout: 300_000 }, () => {
  let tmp: string;
  let server: EnrollServer;
  let ca: CaStore;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-enroll-cli-'));
    await CaStore.init(join(tmp, 'ca'), { cluster: 'cli-lab' });
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

  it('refuses a wrong token from stdin, and --token with --token-file', async () => {
    const dir = join(tmp, 'refused');
    const bad = await cli(
      ['enroll', '--server', server.url, '--token-file', '-', '--dir', dir],
      'wrong-token\n',
    );
    assert.equal(bad.code, 1, bad.out + bad.err);
    assert.match(bad.err, /BAD_TOKEN/);
    const both = await cli(
      ['enroll', '--server', server.url, '--token', TOKEN, '--token-file', '-', '--dir', dir],
      `${TOKEN}\n`,
    );
    assert.equal(both.code, 2, both.err);
    assert.match(both.err, /not both/);
    const empty = await cli(['enroll', '--server', server.url, '--token-file', '-', '--dir', dir], '\n');
    assert.equal(empty.code, 2, empty.err);
    assert.match(empty.err, /no token/);
  });

  it('enrolls with the token on stdin; --show prints that node; a re-run adds nothing', async () => {
    const dir = join(tmp, 'node');
    const show0 = await cli(['enroll', '--show', '--dir', dir]);
    assert.equal(show0.code, 1, 'nothing to show before enrolling');
    assert.match(show0.err, /node\.cert missing: run p2p-update enroll first/);

    const args = ['enroll', '--server', server.url, '--token-file', '-', '--dir', dir, '--owner', 'pi-3'];
    const first = await cli(args, `${TOKEN}\n`);
    assert.equal(first.code, 0, first.out + first.err);
    const nodeId = /enrolled: node ([0-9a-f]{32}) in cluster cli-lab/.exec(first.out)?.[1];
    assert.ok(nodeId, first.out);

    const show = await cli(['enroll', '--show', '--dir', dir]);
    assert.equal(show.code, 0, show.err);
    const shown = JSON.parse(show.out) as Record<string, string>;
    assert.deepEqual(
      { ...shown, expires: undefined },
      {
        nodeId,
        cluster: 'cli-lab',
        owner: 'pi-3',
        caKeyId: ca.config.keyId,
        caFingerprint: caFingerprint((await loadPublicKey(join(tmp, 'ca', 'ca.pub'))).bytes),
        expires: undefined,
      },
    );
    assert.ok(Date.parse(shown['expires']!) > Date.now());

    const key = await readFile(join(dir, 'node.key'), 'utf8');
    const again = await cli(args, `${TOKEN}\n`);
    assert.equal(again.code, 0, again.out + again.err);
    assert.match(again.out, new RegExp(`enrolled: node ${nodeId}`));
    assert.equal(await readFile(join(dir, 'node.key'), 'utf8'), key, 'same keys');
    assert.equal((await CaStore.open(join(tmp, 'ca'))).state.requests.length, 1, 'no new request');
  });
});
