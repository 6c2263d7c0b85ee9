/**
 * The puppet deployer for real: a signed manifest is the payload; the manager asks the
 * deploy executor, which runs `puppet apply --detailed-exitcodes` on its checked copy as
 * root (exit 2 = changes applied), so the manifest can manage a file under /etc. A
 * manifest whose resource fails (exit 4/6) is retried up to deploy.maxAttempts, then
 * `failed` with the output tail recorded. Puppet's own dirs go to the test's temp dir.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createNode, dropRaw, waitUri, type TestNode } from './manager-harness/node.ts';
import { createNetns, type Netns } from './manager-harness/netns.ts';
import { makeAdmin, makePayload, sign, type Admin } from './manager-harness/updates.ts';
import { tempDir } from './manager-harness/util.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let ns: Netns;
let admin: Admin;
let a: TestNode;
const ETC = `/etc/p2p-update-test-${randomBytes(4).toString('hex')}`;

before(async () => {
  tmp = await tempDir('puppet');
  ns = await createNetns();
  admin = await makeAdmin(tmp.path);
  a = await createNode(tmp.path, 'a', admin.pubPath, ns, '10.1.0.1');
  await a.daemon.start();
  const pd = join(tmp.path, 'puppet');
  const puppetArgs = ['--vardir', `${pd}/var`, '--confdir', `${pd}/etc`, '--codedir', `${pd}/code`];
  await a.writeConfig({
    deployers: {
      'puppet:/': {
        type: 'puppet',
        puppetArgs: [...puppetArgs, '--logdir', `${pd}/log`, '--rundir', `${pd}/run`],
      },
    },
    deploy: { maxAttempts: 2, backoffMs: 200, backoffMaxMs: 500, timeoutMs: 60_000 },
  });
  await a.startManager();
});

after(async () => {
  await rm(ETC, { recursive: true, force: true });
  await a?.shutdown();
  await ns?.remove();
  await tmp?.remove();
});

async function publishManifest(uri: string, name: string, manifest: string): Promise<void> {
  const payload = await makePayload(tmp.path, name, Buffer.from(manifest));
  const t = await sign(admin, payload, join(tmp.path, `${name}.torrent`), { uri, version: 1 });
  await dropRaw(a, name, await readFile(payload));
  await dropRaw(a, `${name}.torrent`, t.raw);
}

test('puppet apply, through the executor, manages a file under /etc', { timeout: 90_000 }, async () => {
  const out = ETC;
  await publishManifest(
    'puppet:/site',
    'site.pp',
    `file { '${out}': ensure => directory }\nfile { '${out}/hello.txt': ensure => file, content => "hello from puppet\\n", require => File['${out}'] }\n`,
  );
  const r = await waitUri(a, 'puppet:/site', (r) => r.applied === 1 || r.current?.state === 'failed', 80_000);
  assert.equal(r.current?.state, 'applied', r.current?.lastError ?? '');
  assert.equal(await readFile(join(out, 'hello.txt'), 'utf8'), 'hello from puppet\n');
  assert.equal((await stat(join(out, 'hello.txt'))).uid, 0, 'written by root');
  const ok = a.logs.find((l) => l['msg'] === 'deploy succeeded' && l['uri'] === 'puppet:/site');
  assert.match(String(ok?.['output']), /Applied catalog/);
});

test('a failing manifest is retried, then failed with its output recorded', { timeout: 90_000 }, async () => {
  await publishManifest('puppet:/broken', 'broken.pp', `exec { 'always-fails': command => '/bin/false' }\n`);
  const r = await waitUri(
    a,
    'puppet:/broken',
    (r) => r.current?.state === 'failed' || r.applied !== null,
    80_000,
  );
  assert.equal(r.current?.state, 'failed');
  assert.equal(r.applied, null);
  assert.equal(r.current?.deployAttempts, 2);
  assert.match(r.current?.lastError ?? '', /gave up after 2 attempts/);
  assert.match(r.current?.lastError ?? '', /DEPLOY_EXIT: puppet exited [46]/);
  assert.match(r.current?.lastError ?? '', /always-fails/);
  assert.equal(a.logs.filter((l) => l['msg'] === 'deploy failed' && l['uri'] === 'puppet:/broken').length, 2);
});
