import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deployCommand, deployEnv } from '../../agent/lib/deploy/deployers.ts';
import { DeployError } from '../../agent/lib/deploy/errors.ts';
import { runProcess } from '../../agent/lib/deploy/run-process.ts';
import { TailBuffer } from '../../agent/lib/deploy/tail-buffer.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pm-run-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

const init = (o: Partial<Parameters<typeof runProcess>[1]> = {}) => ({
  env: deployEnv('app:/x', 7, '/payload'),
  timeoutMs: 5000,
  outputCapBytes: 1024,
  cwd: dir,
  ...o,
});

/** Alive and not a zombie (this machine's init may not reap orphans). */
const alive = async (pid: number): Promise<boolean> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.split(') ')[1]?.[0] !== 'Z';
};

test('the deployer sees exactly P2PU_URI, P2PU_VERSION, P2PU_FILE and PATH; exit 0 succeeds', async () => {
  const s = await script('env.sh', 'env | sort');
  const r = await runProcess(deployCommand({ type: 'script', path: s, args: [] }, '/payload'), init());
  const names = r.output
    .trim()
    .split('\n')
    .map((l) => l.split('=')[0])
    .filter((n) => n !== 'PWD' && n !== 'SHLVL' && n !== '_');
  assert.deepEqual(names, ['P2PU_FILE', 'P2PU_URI', 'P2PU_VERSION', 'PATH']);
  assert.match(r.output, /P2PU_VERSION=7/);
});

test('a non-zero exit is DEPLOY_EXIT with the output tail', async () => {
  const s = await script('fail.sh', 'echo about to fail; echo oops >&2; exit 3');
  await assert.rejects(
    runProcess(deployCommand({ type: 'script', path: s, args: [] }, '/p'), init()),
    (e: unknown) =>
      e instanceof DeployError &&
      e.code === 'DEPLOY_EXIT' &&
      /exited 3/.test(e.message) &&
      /oops/.test(e.outputTail),
  );
});

test('a missing program is DEPLOY_SPAWN', async () => {
  await assert.rejects(
    runProcess(deployCommand({ type: 'script', path: join(dir, 'nope.sh'), args: [] }, '/p'), init()),
    (e: unknown) => e instanceof DeployError && e.code === 'DEPLOY_SPAWN',
  );
});

test('the timeout kills the whole process group, children included', async () => {
  const s = await script('hang.sh', `sleep 30 & echo $! > ${dir}/child.pid; sleep 30`);
  const t0 = Date.now();
  await assert.rejects(
    runProcess(deployCommand({ type: 'script', path: s, args: [] }, '/p'), init({ timeoutMs: 500 })),
    (e: unknown) => e instanceof DeployError && e.code === 'DEPLOY_TIMEOUT',
  );
  assert.ok(Date.now() - t0 < 10_000);
  const child = Number(await readFile(join(dir, 'child.pid'), 'utf8'));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await alive(child), false, 'the background child died with its group');
});

test('what a deployer leaves behind in its group is killed when it exits', async () => {
  const s = await script('leave.sh', `sleep 30 & echo $! > ${dir}/left.pid; exec >&- 2>&-; exit 0`);
  await runProcess(deployCommand({ type: 'script', path: s, args: [] }, '/p'), init());
  const left = Number(await readFile(join(dir, 'left.pid'), 'utf8'));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await alive(left), false);
});

test('output is capped to its tail', async () => {
  const s = await script('flood.sh', 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done');
  const r = await runProcess(
    deployCommand({ type: 'script', path: s, args: [] }, '/p'),
    init({ outputCapBytes: 1024 }),
  );
  assert.ok(r.outputBytes > 10_000);
  assert.match(r.output, /^\[\d+ earlier bytes dropped\]\n/);
  assert.match(r.output, /line 1999\n$/);
  assert.ok(r.output.length < 1100);
});

test('tail buffer keeps the last bytes only', () => {
  const t = new TailBuffer(4);
  for (const s of ['ab', 'cd', 'ef']) t.push(Buffer.from(s));
  assert.equal(t.text(), '[2 earlier bytes dropped]\ncdef');
  assert.equal(t.total, 6);
});

test('puppet command: detailed exit codes, configured manifest or the payload', () => {
  assert.deepEqual(deployCommand({ type: 'puppet', puppetArgs: ['--noop'] }, '/dl/site.pp'), {
    file: 'puppet',
    args: ['apply', '--detailed-exitcodes', '--color=false', '--noop', '/dl/site.pp'],
    okCodes: [0, 2],
  });
  assert.equal(
    deployCommand({ type: 'puppet', manifest: '/etc/m.pp', puppetArgs: [] }, '/dl/x').args.at(-1),
    '/etc/m.pp',
  );
});
