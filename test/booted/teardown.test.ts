/**
 * A booted bed leaves nothing behind: not when a test fails (its logs and journal are kept
 * in /tmp/<prefix> for reading, and only those; with its containers in a Figure 2
 * topology, none of the topology's namespaces either), not on Ctrl-C, and after a SIGKILL (when no
 * handler can run) the next bed with the same prefix removes what was left. "Nothing" is:
 * no namespace with the prefix, no container init or nspawn alive, no mount and no file
 * under the bed's run directory.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { listNamespacesSync } from '../e2e/harness/netns.ts';
import { REPO } from '../pkg/trixie-root.ts';
import { Bed } from './harness/bed.ts';
import { mountedUnder } from './harness/mounts.ts';
import { nspawnsUnder, runDirOf } from './harness/sweep.ts';

const CHILD = new URL('./fixtures/bed-child.ts', import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function assertNothingLeft(prefix: string, initPid: number): void {
  const dir = runDirOf(prefix);
  assert.deepEqual(listNamespacesSync(prefix), [], 'namespaces left');
  assert.deepEqual(nspawnsUnder(dir), [], 'nspawn processes left');
  assert.equal(alive(initPid), false, 'the container init is alive');
  assert.deepEqual(mountedUnder(dir), [], 'mounts left');
  assert.equal(existsSync(dir), false, `${dir} left`);
}

function startChild(mode: string, prefix: string, ...more: string[]) {
  // Without NODE_TEST_CONTEXT the child's node:test reports as a stand-alone run (TAP).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, prefix, ...more], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const lines = createInterface({ input: child.stdout });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const firstPid = new Promise<number>((resolve, reject) => {
    lines.on('line', (l) => {
      const m = /^(?:ready|init) (\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    lines.once('close', () => reject(new Error(`child exited before booting: ${stderr}`)));
  });
  return { child, exited, firstPid, stderr: () => stderr };
}

describe('booted bed teardown', { timeout: 600_000 }, () => {
  it('a failing test removes its container, mounts and namespaces, keeping only its logs', async () => {
    const prefix = 'p2ps-f-';
    const run = startChild('fail', prefix);
    const init = await run.firstPid;
    const [code] = await run.exited;
    assert.equal(code, 1, `the fixture's test fails: ${run.stderr()}`);
    assertNothingLeft(prefix, init);
    const kept = readdirSync('/tmp/p2ps-f').sort();
    assert.deepEqual(
      kept,
      ['enroll-server.log', 'n1.console', 'n1.journal'].filter((f) => kept.includes(f)),
    );
    assert.ok(kept.includes('n1.journal') && kept.includes('n1.console'), kept.join(' '));
    rmSync('/tmp/p2ps-f', { recursive: true, force: true });
  });

  it('a failing Figure 2 test also removes the topology: containers, namespaces, mounts', async () => {
    const [prefix, topoPrefix] = ['p2ps-gt-', 'p2pe-gt-'];
    const run = startChild('fig2-fail', prefix, topoPrefix);
    const init = await run.firstPid;
    const [code] = await run.exited;
    assert.equal(code, 1, `the fixture's test fails: ${run.stderr()}`);
    assertNothingLeft(prefix, init);
    assert.deepEqual(listNamespacesSync(topoPrefix), [], "the topology's namespaces left");
    assert.ok(readdirSync('/tmp/p2ps-gt').includes('n1.journal'), 'the logs are kept');
    for (const d of ['/tmp/p2ps-gt', '/tmp/p2pe-gt']) rmSync(d, { recursive: true, force: true });
  });

  it('Ctrl-C tears the bed down', async () => {
    const prefix = 'p2ps-c-';
    const run = startChild('hold', prefix);
    const init = await run.firstPid;
    assert.ok(alive(init));
    assert.equal(listNamespacesSync(prefix).length, 2, 'hub and n1');
    run.child.kill('SIGINT');
    const [code] = await run.exited;
    assert.equal(code, 130);
    assertNothingLeft(prefix, init);
    rmSync('/tmp/p2ps-c', { recursive: true, force: true });
  });

  it('after a SIGKILL, the next bed with the same prefix removes what was left', async () => {
    const prefix = 'p2ps-k-';
    const run = startChild('hold', prefix);
    const init = await run.firstPid;
    run.child.kill('SIGKILL');
    await run.exited;
    assert.ok(alive(init), 'the container outlives a SIGKILLed harness');
    assert.ok(mountedUnder(runDirOf(prefix)).length > 0);
    const bed = await Bed.create({ prefix, log: () => {} });
    assert.equal(alive(init), false, 'the leftover container was killed');
    await bed.destroy();
    assertNothingLeft(prefix, init);
  });
});
