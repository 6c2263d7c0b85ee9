/**
 * The example deployers in deploy-scripts/ keep the deployer contract: exit 0 only when
 * the update was applied. Run through the real deploy runner (no shell, clean env).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deployCommand, deployEnv } from '../../agent/lib/deploy/deployers.ts';
import { DeployError } from '../../agent/lib/deploy/errors.ts';
import { runProcess } from '../../agent/lib/deploy/run-process.ts';

const MARKER = new URL('../../deploy-scripts/example-marker.sh', import.meta.url).pathname;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pm-scripts-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (payload: string, out: string) =>
  runProcess(deployCommand({ type: 'script', path: MARKER, args: [out] }, payload), {
    env: deployEnv('app:/demo', 3, payload),
    timeoutMs: 10_000,
    outputCapBytes: 4096,
    cwd: dir,
  });

test('example-marker.sh copies the payload and writes the marker', async () => {
  const payload = join(dir, 'app-3.bin');
  await writeFile(payload, 'v3 bytes');
  const out = join(dir, 'ok');
  await run(payload, out);
  assert.equal(await readFile(join(out, 'payload'), 'utf8'), 'v3 bytes');
  assert.equal(await readFile(join(out, 'marker'), 'utf8'), 'app:/demo 3\n');
});

test('example-marker.sh fails (and writes no marker) when the payload cannot be copied', async () => {
  const out = join(dir, 'missing');
  await assert.rejects(
    run(join(dir, 'no-such-payload'), out),
    (e: unknown) => e instanceof DeployError && e.code === 'DEPLOY_EXIT',
  );
  await assert.rejects(readFile(join(out, 'marker')), { code: 'ENOENT' });
  assert.doesNotMatch(await readFile(join(out, 'deploy.log'), 'utf8'), /applied/);
});
