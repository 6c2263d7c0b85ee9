/**
 * The harness cleans up after itself: leftovers of an earlier run are swept at start,
 * and Ctrl-C (SIGINT) removes namespaces and kills what ran in them.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { listNamespacesSync } from './harness/netns.ts';
import { harnessFile, REPO_ROOT } from './harness/paths.ts';
import { Topology } from './harness/topology.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    // a zombie still answers kill -0: look at its state
    return !/^State:\s+Z/m.test(spawnSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' }).stdout);
  } catch {
    return false;
  }
};

describe('harness teardown', () => {
  it('sweeps leftovers of an earlier run (namespaces and their processes) at start', async () => {
    const ns = 'p2pe-l-n1';
    spawnSync('ip', ['netns', 'add', ns]);
    const stray = spawn('ip', ['netns', 'exec', ns, 'sleep', '300'], { detached: true, stdio: 'ignore' });
    const strayExit = once(stray, 'exit');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(alive(stray.pid!), 'the stray process runs');
    const topo = await Topology.create({ prefix: 'p2pe-l-', log: () => {} });
    try {
      await strayExit;
      assert.equal(alive(stray.pid!), false, 'the stray process was killed');
      assert.equal(listNamespacesSync('p2pe-l-').length, topo.plan.allNamespaces.length);
    } finally {
      await topo.destroy();
    }
    assert.deepEqual(listNamespacesSync('p2pe-l-'), []);
  });

  it('Ctrl-C removes every namespace and kills the processes started in them', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', harnessFile('../fixtures/hold-topology.ts'), 'p2pe-c-'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(child, 'exit');
    const lines = createInterface({ input: child.stdout! });
    const [line] = (await once(lines, 'line')) as [string];
    const pid = Number(/^ready (\d+)$/.exec(line)?.[1]);
    assert.ok(alive(pid), 'the process in node 1 runs');
    assert.equal(listNamespacesSync('p2pe-c-').length, 8);
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 130);
    assert.deepEqual(listNamespacesSync('p2pe-c-'), []);
    assert.equal(alive(pid), false, 'the process in node 1 is gone');
    rmSync('/tmp/p2pe-c', { recursive: true, force: true }); // logs kept on a signal, by design
  });
});
