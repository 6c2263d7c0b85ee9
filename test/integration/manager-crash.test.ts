/**
 * Crash safety with real processes: kill -9 the manager during a download, during a
 * deploy and right after the executor applied an update; kill -9 the deploy executor
 * during a deploy; kill -9 transmission-daemon during a download. In every case the
 * update ends `applied` exactly once: the deploy scripts append one "applied" line per
 * finished deploy (and one "begin" line per start), so the lines are counted.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MARKER_SCRIPT, REPO, appliedLines, waitUri } from './manager-harness/node.ts';
import { createPair, type Pair } from './manager-harness/pair.ts';
import { delay, waitFor } from './manager-harness/util.ts';

let p: Pair;
const GATED_SCRIPT = join(REPO, 'test/integration/manager-harness/gated-deploy.sh');
const openGate = (uri: string): Promise<void> =>
  writeFile(join(p.b.markerDir, `gate_${uri.replace(/[^a-zA-Z0-9]/g, '_')}`), '');

before(async () => {
  p = await createPair('crash');
  // B's deploys under app:/slow wait between "begin" and "applied" until the test opens their gate.
  const deployers = {
    'app:/': { type: 'script', path: MARKER_SCRIPT, args: [p.b.markerDir] },
    'app:/slow': { type: 'script', path: GATED_SCRIPT, args: [p.b.markerDir] },
  };
  await p.b.stopManager();
  await p.b.writeConfig({ peers: [p.a.peer], deployers });
  await p.b.startManager();
});

after(async () => {
  await p?.close();
});

const linesFor = async (uri: string): Promise<number> =>
  (await appliedLines(p.b)).filter((l) => l === `applied ${uri} 1`).length;

test(
  'kill -9 of the manager during the download: resumes, applied once, not fetched twice',
  { timeout: 110_000 },
  async () => {
    const uri = 'app:/crash/download';
    const size = 1024 * 1024;
    const t = await p.publish(uri, 1, size);
    await waitUri(p.b, uri, (r) => r.current?.state === 'downloading', 30_000);
    await p.b.kill9Manager();
    await p.b.startManager();
    const r = await waitUri(p.b, uri, (r) => r.applied === 1 || r.current?.state === 'failed', 90_000);
    assert.equal(r.current?.state, 'applied', r.current?.lastError ?? '');
    assert.equal(r.current?.deployAttempts, 1);
    assert.equal(await linesFor(uri), 1);
    const g = await p.b.daemon.rpc.call<{ torrents: { downloadedEver: number }[] }>('torrent-get', {
      ids: [t.infoHash],
      fields: ['downloadedEver'],
    });
    assert.ok(
      g.torrents[0]!.downloadedEver <= size * 1.25,
      `downloaded ${g.torrents[0]!.downloadedEver} bytes`,
    );
    // Restarted once more after applied: the applied version is not deployed again.
    await p.b.kill9Manager();
    await p.b.startManager();
    await waitFor('seeding re-checked', () => p.b.logs.some((l) => l['result'] === 'duplicate'), 10_000);
    await delay(1500);
    assert.equal(await linesFor(uri), 1);
    assert.equal((await p.b.store())?.uris[uri]?.current?.state, 'applied');
  },
);

const logOf = (): Promise<string> => readFile(join(p.b.markerDir, 'deploy.log'), 'utf8').catch(() => '');
const begins = async (uri: string): Promise<number> =>
  (await logOf()).split('\n').filter((l) => l === `begin ${uri} 1`).length;
const deployBegan = (uri: string): Promise<boolean> =>
  waitFor('deploy began', async () => (await logOf()).includes(`begin ${uri} 1`), 90_000);

test(
  'kill -9 of the manager during the deploy: the executor finishes it; the restarted manager is told, nothing runs twice',
  { timeout: 110_000 },
  async () => {
    const uri = 'app:/slow/deploy';
    await p.publish(uri, 1, 256 * 1024);
    await deployBegan(uri);
    await p.b.kill9Manager();
    await p.b.startManager();
    await openGate(uri);
    const r = await waitUri(p.b, uri, (r) => r.applied === 1 || r.current?.state === 'failed', 60_000);
    assert.equal(r.current?.state, 'applied', r.current?.lastError ?? '');
    await delay(1500);
    assert.equal(await linesFor(uri), 1);
    assert.equal(await begins(uri), 1, 'the deploy ran once');
    assert.ok(p.b.logs.some((l) => l['msg'] === 'deploy already applied' && l['uri'] === uri));
    assert.ok(p.b.execLogs.some((l) => l['msg'] === 'already applied; not run again' && l['uri'] === uri));
  },
);

test(
  'kill -9 of the manager after the executor applied, before the manager wrote it down: told applied, not run again',
  { timeout: 110_000 },
  async () => {
    const uri = 'app:/slow/after';
    await p.publish(uri, 1, 64 * 1024);
    await deployBegan(uri);
    p.b.manager.signal('SIGSTOP'); // the manager cannot record the answer
    await openGate(uri);
    await waitFor(
      'executor applied',
      () => p.b.execLogs.some((l) => l['msg'] === 'deploy succeeded' && l['uri'] === uri),
      30_000,
    );
    assert.equal((await p.b.store())?.uris[uri]?.current?.state, 'deploying', 'the manager did not see it');
    await p.b.kill9Manager();
    await p.b.startManager();
    const r = await waitUri(p.b, uri, (r) => r.applied === 1 || r.current?.state === 'failed', 60_000);
    assert.equal(r.current?.state, 'applied', r.current?.lastError ?? '');
    await delay(1500);
    assert.equal(await linesFor(uri), 1);
    assert.equal(await begins(uri), 1);
  },
);

test(
  'kill -9 of the executor during the deploy: its deploy is killed at restart and run again, applied once',
  { timeout: 110_000 },
  async () => {
    const uri = 'app:/slow/executor';
    await p.publish(uri, 1, 64 * 1024);
    await deployBegan(uri);
    await p.b.kill9Executor();
    await waitUri(p.b, uri, (r) => (r.current?.lastError ?? '').startsWith('EXECUTOR_GONE'), 30_000);
    await p.b.startExecutor();
    assert.ok(
      p.b.execLogs.some(
        (l) => l['msg'] === 'interrupted deploy found' && l['uri'] === uri && l['killed'] === true,
      ),
    );
    // Only now may deploys finish: had the interrupted one survived, it would add a second line.
    await openGate(uri);
    const r = await waitUri(p.b, uri, (r) => r.applied === 1 || r.current?.state === 'failed', 60_000);
    assert.equal(r.current?.state, 'applied', r.current?.lastError ?? '');
    assert.equal(r.current?.deployAttempts, 2, 'the interrupted attempt counts');
    await delay(1500);
    assert.equal(await linesFor(uri), 1);
    assert.equal(await begins(uri), 2, 'run again after the interruption');
  },
);

test(
  'kill -9 of transmission-daemon during the download: the manager waits, resumes, applied once',
  { timeout: 110_000 },
  async () => {
    const uri = 'app:/crash/daemon';
    await p.publish(uri, 1, 1024 * 1024);
    await waitUri(p.b, uri, (r) => r.current?.state === 'downloading', 30_000);
    await p.b.daemon.kill9();
    await waitFor(
      'manager noticed the daemon is gone',
      () => p.b.logs.some((l) => l['msg'] === 'update step failed; will retry' && l['uri'] === uri),
      15_000,
    );
    await p.b.daemon.start();
    const r = await waitUri(p.b, uri, (r) => r.applied === 1 || r.current?.state === 'failed', 90_000);
    assert.equal(r.current?.state, 'applied', r.current?.lastError ?? '');
    assert.equal(await linesFor(uri), 1);
  },
);

test(
  'SIGTERM of the manager during a deploy: it stops at once; the deploy goes on in the executor, applied once',
  { timeout: 110_000 },
  async () => {
    const uri = 'app:/slow/term';
    await p.publish(uri, 1, 64 * 1024);
    await deployBegan(uri);
    const t0 = Date.now();
    assert.equal(await p.b.stopManager(), 0);
    assert.ok(Date.now() - t0 < 10_000, `stopped in ${Date.now() - t0} ms`);
    await openGate(uri);
    await waitFor('the executor finished the deploy', async () => (await linesFor(uri)) === 1, 30_000);
    await p.b.startManager();
    const r = await waitUri(p.b, uri, (r) => r.applied === 1 || r.current?.state === 'failed', 60_000);
    assert.equal(r.current?.state, 'applied', r.current?.lastError ?? '');
    await delay(1500);
    assert.equal(await linesFor(uri), 1);
    assert.equal(await begins(uri), 1);
  },
);
