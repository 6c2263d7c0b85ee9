/**
 * Crash safety with real processes: kill -9 the manager during a download and during
 * a deploy, kill -9 transmission-daemon during a download. In every case the update
 * ends `applied` exactly once: the example deploy script appends one "applied" line
 * per finished deploy, so the lines are counted.
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

test(
  'kill -9 of the manager during the deploy: the deploy is run again, applied once',
  { timeout: 110_000 },
  async () => {
    const uri = 'app:/slow/deploy';
    await p.publish(uri, 1, 256 * 1024);
    await waitUri(p.b, uri, (r) => r.current?.deployPid != null, 90_000);
    const log = join(p.b.markerDir, 'deploy.log');
    await waitFor(
      'deploy began',
      async () => (await readFile(log, 'utf8')).includes(`begin ${uri} 1`),
      10_000,
    );
    await p.b.kill9Manager();
    await p.b.startManager();
    await waitFor(
      'leftover reaped',
      () => p.b.logs.some((l) => l['msg'] === 'interrupted deploy found'),
      60_000,
    );
    assert.ok(p.b.logs.some((l) => l['msg'] === 'interrupted deploy found' && l['killed'] === true));
    // Only now may deploys finish: had the interrupted one survived, it would add a second line.
    await openGate(uri);
    const r = await waitUri(p.b, uri, (r) => r.applied === 1 || r.current?.state === 'failed', 60_000);
    assert.equal(r.current?.state, 'applied', r.current?.lastError ?? '');
    assert.equal(r.current?.deployAttempts, 2);
    assert.equal(r.current?.deployPid, null);
    await delay(1500);
    assert.equal(await linesFor(uri), 1);
    const begins = (await readFile(log, 'utf8')).split('\n').filter((l) => l === `begin ${uri} 1`);
    assert.equal(begins.length, 2);
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
  'SIGTERM during a deploy: the manager kills the deploy as it stops and reruns it at start',
  { timeout: 110_000 },
  async () => {
    const uri = 'app:/slow/term';
    await p.publish(uri, 1, 64 * 1024);
    const log = join(p.b.markerDir, 'deploy.log');
    await waitFor(
      'deploy began',
      async () => (await readFile(log, 'utf8')).includes(`begin ${uri} 1`),
      90_000,
    );
    assert.equal(await p.b.stopManager(), 0);
    assert.ok(p.b.logs.some((l) => l['msg'] === 'deploy interrupted by stop' && l['uri'] === uri));
    // Open the gate: a deploy that outlived the stop would now finish and add a line.
    await openGate(uri);
    await delay(1500);
    assert.equal(await linesFor(uri), 0, 'the interrupted deploy did not finish');
    await p.b.startManager();
    const r = await waitUri(p.b, uri, (r) => r.applied === 1 || r.current?.state === 'failed', 60_000);
    assert.equal(r.current?.state, 'applied', r.current?.lastError ?? '');
    await delay(1500);
    assert.equal(await linesFor(uri), 1);
  },
);
