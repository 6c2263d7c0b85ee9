/**
 * The manager core (intake + per-URI driver) with a fake Transmission, a fake deploy
 * executor and a fake clock; the store is real, in a temp dir. Checks what the integration
 * tests cannot force reliably: a newer version superseding one in flight, and retries.
 * Time moves only in `until` and `idle` (the fake clock, in 10 ms steps, yielding to the
 * event loop between steps so file I/O completes); nothing sleeps on real time.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import {
  generateKeyPair,
  parsePublicKeyPem,
  parseSecretKeyPem,
  type SecretKey,
} from '../../agent/lib/crypto/keys.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import type { Core } from '../../agent/manager/core.ts';
import { Manager } from '../../agent/manager/manager.ts';
import { NO_NATM, type ExecutorPort, type TransmissionPort } from '../../agent/manager/ports.ts';
import { VersionStore } from '../../agent/manager/store.ts';
import { RolloutGate } from '../../agent/manager/rollout-gate.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { TransferError } from '../../agent/lib/transmission/errors.ts';
import type { TorrentProgress } from '../../agent/lib/transmission/progress.ts';
import { legacyRoot } from '../../agent/lib/trust/legacy.ts';
import { fixedTrust } from '../../agent/manager/ports.ts';
import { ManagerMetrics } from '../../agent/manager/metrics.ts';

let dir: string;
let clock: FakeClock;
let key: SecretKey;
let core: Core;
let manager: Manager;
const done = new Set<string>(); // infohashes the fake daemon reports complete
const deploys: number[] = [];
let failNext = 0;
let unreachable = 0; // the fake daemon refuses this many calls
const lost = new Set<string>(); // torrents the fake daemon "forgets" once (restart without resume data)
const adds: string[] = [];
const addDirs = new Map<string, string>(); // infohash → download-dir it was added with
const deployFiles: string[] = [];
const deployRoots: (string | null)[] = []; // the root chain each deploy request named
let keptRoot: string | null = null; // the manager's persisted root chain, once it has one
const removed: string[] = []; // "infohash" or "infohash +data", as torrent-remove was called
const deployed: string[] = []; // the payload's bytes as each deploy saw them
const moves: string[] = []; // "infohash → dir", as torrent-set-location was called

function fakeTx(): TransmissionPort {
  const status = new Map<string, number>();
  const get = async (h: string): Promise<TorrentProgress | null> => {
    if (unreachable > 0) {
      unreachable--;
      throw new TransferError('UNREACHABLE', 'torrent-get: cannot reach the daemon');
    }
    if (lost.delete(h)) status.delete(h);
    if (!status.has(h)) return null;
    const full = done.has(h);
    return {
      hashString: h,
      percentDone: full ? 1 : 0.3,
      leftUntilDone: full ? 0 : 100,
      status: status.get(h)!,
      error: 0,
      errorString: '',
      corruptEver: 0,
      uploadedEver: 0,
      trackers: [],
      downloadDir: addDirs.get(h),
    };
  };
  return {
    add: async (raw, downloadDir) => {
      const { parseTorrentPlusPlus } = await import('../../agent/lib/metainfo/parse.ts');
      const h = parseTorrentPlusPlus(raw).infoHash;
      const had = status.has(h);
      adds.push(h);
      addDirs.set(h, downloadDir);
      status.set(h, 4);
      return had ? 'duplicate' : 'added';
    },
    get,
    ensureTracker: async () => undefined,
    start: async (h) => void status.set(h, 6),
    stop: async (h) => void status.set(h, 0),
    verify: async () => undefined,
    reannounce: async () => undefined,
    location: async (h) => (status.has(h) ? { downloadDir: addDirs.get(h)!, name: 'n' } : null),
    setLocation: async (h, to) => {
      moves.push(`${h} → ${to}`);
      addDirs.set(h, to);
    },
    remove: async (h, deleteData) => {
      removed.push(`${h}${deleteData ? ' +data' : ''}`);
      status.delete(h);
    },
  };
}

/** A fake deploy executor: accepts app:/, records what it was asked to deploy. */
const executor: ExecutorPort = {
  accepts: async (uri) => ({ accepted: uri.startsWith('app:/'), highest: null }),
  deploy: async (req, beforeSend) => {
    if (!(await beforeSend())) return null;
    deploys.push(req.version);
    deployFiles.push(req.payload);
    deployRoots.push(req.root ?? null);
    deployed.push(await readFile(req.payload, 'utf8'));
    const { uri, version, infoHash } = req;
    if (failNext > 0) {
      failNext--;
      return {
        type: 'failed',
        uri,
        version,
        code: 'DEPLOY_EXIT',
        reason: 'script exited 1',
        output: 'boom\n',
      };
    }
    return { type: 'applied', uri, version, infoHash, ran: true, durationMs: 1, output: 'ok' };
  },
  rollback: () => Promise.reject(new Error('no rollback in this test')),
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pm-driver-'));
  clock = new FakeClock(Date.now());
  const kp = await generateKeyPair();
  key = await parseSecretKeyPem(kp.secretPem);
  done.clear();
  deploys.length = 0;
  failNext = 0;
  unreachable = 0;
  lost.clear();
  adds.length = 0;
  addDirs.clear();
  deployFiles.length = 0;
  deployRoots.length = 0;
  keptRoot = null;
  removed.length = 0;
  deployed.length = 0;
  moves.length = 0;
  const config = validateConfig({
    trustedKeys: ['/unused.pub'],
    stateDir: join(dir, 'state'),
    inboxDir: join(dir, 'inbox'),
    transmission: { downloadDir: dir, pollMs: 100 },
    deploy: { maxAttempts: 3, backoffMs: 1000, backoffMaxMs: 1000 },
  });
  core = {
    store: await VersionStore.open(config.stateDir),
    tx: fakeTx(),
    natm: NO_NATM,
    executor,
    clock,
    log: silentLogger(),
    config,
    trust: {
      ...fixedTrust(legacyRoot([parsePublicKeyPem(kp.publicPem)])),
      get keptPath() {
        return keptRoot;
      },
    },
    trackerUrl: () => 'http://127.0.0.1:1/announce',
    gate: new RolloutGate({ tags: new Map(), overlay: false, now: () => clock.now() }),
    metrics: new ManagerMetrics(),
  };
  manager = new Manager(core, (e) => assert.fail(`fatal: ${String(e)}`));
  manager.start();
});

afterEach(async () => {
  await manager.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Signs version `v` of a payload that is already "downloaded" into its torrent's
 * directory (downloadDir/<infohash>/<name>).
 */
async function update(v: number, name = `p${v}.bin`): Promise<{ raw: Uint8Array; infoHash: string }> {
  const src = join(dir, `src-${v}`);
  await mkdir(src, { recursive: true });
  await writeFile(join(src, name), `payload ${v}`);
  const raw = await createTorrentPlusPlus(join(src, name), {
    uri: 'app:/x',
    version: v,
    key,
    now: clock.now(),
  });
  const { parseTorrentPlusPlus } = await import('../../agent/lib/metainfo/parse.ts');
  const infoHash = parseTorrentPlusPlus(raw).infoHash;
  await mkdir(join(dir, infoHash), { recursive: true });
  await writeFile(join(dir, infoHash, name), `payload ${v}`);
  return { raw, infoHash };
}

const STEP_MS = 10;

/**
 * File system requests in flight (the store's writes, payload reads), including a file
 * handle's close (`CloseReq`), which a busy machine can leave pending across many steps.
 */
const fsBusy = () => process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq') || r === 'CloseReq');

/** One fake-clock step, once every file request in flight has finished and its callbacks ran. */
async function step(): Promise<void> {
  do await new Promise((r) => setImmediate(r));
  while (fsBusy());
  clock.advance(STEP_MS);
}

/** Moves the fake clock until `pred` holds; fails after 60 s of fake time. */
async function until(pred: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = clock.now() + 60_000;
  while (!(await pred())) {
    if (clock.now() > end) throw new Error(`timed out (fake time): ${what}`);
    await step();
  }
}

/** Lets `ms` of fake time pass (the manager may act meanwhile). */
async function idle(ms: number): Promise<void> {
  for (const end = clock.now() + ms; clock.now() < end;) await step();
}

const cur = () => core.store.uri('app:/x')?.current;

test('a newer version accepted during a download supersedes it; only the newer one is deployed', async () => {
  const v1 = await update(1);
  assert.equal((await manager.submit(v1.raw, 'inbox')).kind, 'accepted');
  await until(() => cur()?.state === 'downloading', 'v1 downloading');
  const v2 = await update(2);
  assert.equal((await manager.submit(v2.raw, 'inbox')).kind, 'accepted');
  done.add(v1.infoHash); // v1 completing now must not matter
  await idle(300);
  assert.equal(cur()?.version, 2);
  assert.notEqual(cur()?.state, 'applied');
  done.add(v2.infoHash);
  await until(() => cur()?.state === 'applied', 'v2 applied');
  assert.deepEqual(deploys, [2]);
  assert.equal(core.store.uri('app:/x')?.applied, 2);
  assert.equal((await manager.submit(v1.raw, 'inbox')).kind, 'refused');
});

test('a failing deploy is retried with backoff until it succeeds', async () => {
  failNext = 2;
  const v = await update(1);
  done.add(v.infoHash);
  await manager.submit(v.raw, 'inbox');
  await until(() => cur()?.state === 'applied', 'applied');
  assert.deepEqual(deploys, [1, 1, 1]);
  assert.equal(cur()?.deployAttempts, 3);
  assert.equal(cur()?.lastError, null);
});

test('a version waiting to retry its deploy is dropped for a newer one, never retried after', async () => {
  failNext = 1;
  const v1 = await update(1);
  const v2 = await update(2);
  done.add(v1.infoHash);
  done.add(v2.infoHash);
  await manager.submit(v1.raw, 'inbox');
  await until(() => deploys.length === 1 && cur()?.nextAttemptAt != null, 'v1 failed once');
  await manager.submit(v2.raw, 'inbox'); // well within v1's 1 s backoff
  await until(() => cur()?.state === 'applied', 'v2 applied');
  await idle(300);
  assert.deepEqual(deploys, [1, 2]);
});

test('the same torrent again is a duplicate and changes nothing', async () => {
  const v = await update(3);
  done.add(v.infoHash);
  await manager.submit(v.raw, 'inbox');
  await until(() => cur()?.state === 'applied', 'applied');
  const before = JSON.stringify(core.store.data);
  assert.equal((await manager.submit(v.raw, 'natm')).kind, 'duplicate');
  await idle(200);
  assert.equal(JSON.stringify(core.store.data), before);
  assert.deepEqual(deploys, [3]);
});

test('a daemon that is unreachable for a while, then lost the torrent: waited out, added again', async () => {
  const v = await update(1);
  await manager.submit(v.raw, 'inbox');
  await until(() => cur()?.state === 'downloading', 'downloading');
  unreachable = 2;
  await until(() => (cur()?.lastError ?? '').startsWith('UNREACHABLE'), 'lastError recorded');
  lost.add(v.infoHash);
  await until(() => adds.length === 2, 'added again');
  done.add(v.infoHash);
  await until(() => cur()?.state === 'applied', 'applied');
  assert.deepEqual(deploys, [1]);
});

test('a payload that fails its check is refused and its torrent stopped, not left seeding', async () => {
  const v = await update(1);
  await writeFile(join(dir, v.infoHash, 'p1.bin'), 'payload X'); // same length, other bytes
  done.add(v.infoHash);
  await manager.submit(v.raw, 'inbox');
  await until(() => cur()?.state === 'failed', 'failed');
  assert.match(cur()?.lastError ?? '', /SHA-256/);
  assert.equal(core.store.data.refusals[0]?.code, 'PAYLOAD_MISMATCH');
  assert.equal((await core.tx.get(v.infoHash))?.status, 0, 'stopped');
  assert.deepEqual(deploys, []);
});

test('versions whose payloads share a file name each download into downloadDir/<infohash>/', async () => {
  const v1 = await update(1, 'app.bin');
  done.add(v1.infoHash);
  await manager.submit(v1.raw, 'inbox');
  await until(() => cur()?.state === 'applied', 'v1 applied');
  const v2 = await update(2, 'app.bin');
  done.add(v2.infoHash);
  await manager.submit(v2.raw, 'inbox');
  await until(() => cur()?.version === 2 && cur()?.state === 'applied', 'v2 applied');
  assert.equal(addDirs.get(v1.infoHash), join(dir, v1.infoHash));
  assert.equal(addDirs.get(v2.infoHash), join(dir, v2.infoHash));
  assert.deepEqual(deployFiles, [join(dir, v1.infoHash, 'app.bin'), join(dir, v2.infoHash, 'app.bin')]);
  assert.deepEqual(deployed, ['payload 1', 'payload 2'], 'each deploy read its own bytes');
});

test('a record from before per-torrent directories (no ownDir) resumes at downloadDir/<name>', async () => {
  const v = await update(1);
  await manager.submit(v.raw, 'inbox');
  await until(() => cur()?.state === 'downloading', 'downloading');
  await manager.stop();
  await core.store.update((d) => {
    const { ownDir, ...old } = d.uris['app:/x']!.current!;
    assert.equal(ownDir, true);
    return { ...d, uris: { 'app:/x': { ...d.uris['app:/x']!, current: old } } };
  });
  await rm(join(dir, v.infoHash), { recursive: true });
  await writeFile(join(dir, 'p1.bin'), 'payload 1');
  done.add(v.infoHash);
  manager = new Manager(core, (e) => assert.fail(`fatal: ${String(e)}`));
  manager.start();
  await until(() => cur()?.state === 'applied', 'applied');
  assert.deepEqual(deployFiles, [join(dir, 'p1.bin')]);
});

/** Waits until the store keeps `n` torrent files (removal finishes after torrent-remove). */
async function untilKept(n: number): Promise<void> {
  await until(async () => (await core.store.torrentHashes()).length === n, `${n} torrents kept`);
}

test('once a newer version is applied, older torrents of the URI are removed with their data', async () => {
  const v1 = await update(1);
  const v2 = await update(2);
  const v3 = await update(3);
  for (const v of [v1, v2, v3]) done.add(v.infoHash);
  await manager.submit(v1.raw, 'inbox');
  await until(() => cur()?.state === 'applied', 'v1 applied');
  assert.deepEqual(removed, [], 'the only version is kept');
  await manager.submit(v2.raw, 'inbox');
  await until(() => cur()?.version === 2 && removed.length === 1, 'v1 removed');
  await untilKept(1);
  assert.equal(cur()?.state, 'applied');
  assert.deepEqual(removed, [`${v1.infoHash} +data`]);
  assert.deepEqual(await core.store.torrentHashes(), [v2.infoHash]);
  assert.notEqual(await core.tx.get(v2.infoHash), null, 'the applied one stays in the daemon');
  await manager.submit(v3.raw, 'inbox');
  await until(() => cur()?.version === 3 && removed.length === 2, 'v2 removed');
  await untilKept(1);
  assert.deepEqual(removed, [`${v1.infoHash} +data`, `${v2.infoHash} +data`]);
  assert.deepEqual(await core.store.torrentHashes(), [v3.infoHash]);
});

test('a torrent the daemon reloaded in its default dir (no resume data) is moved back before the check', async () => {
  const v = await update(1);
  await manager.submit(v.raw, 'inbox');
  await until(() => cur()?.state === 'downloading', 'downloading');
  addDirs.set(v.infoHash, dir); // what a daemon killed before writing resume data reports
  done.add(v.infoHash);
  await until(() => cur()?.state === 'applied', 'applied');
  assert.deepEqual(moves, [`${v.infoHash} → ${join(dir, v.infoHash)}`]);
  assert.deepEqual(deployFiles, [join(dir, v.infoHash, 'p1.bin')]);
});

test('a deploy names the root chain the manager persisted, once it has one (the executor walks it itself)', async () => {
  const v1 = await update(1);
  done.add(v1.infoHash);
  await manager.submit(v1.raw, 'inbox');
  await until(() => cur()?.state === 'applied', 'v1 applied');
  keptRoot = join(dir, 'state', 'root.chain');
  const v2 = await update(2);
  done.add(v2.infoHash);
  await manager.submit(v2.raw, 'inbox');
  await until(() => cur()?.version === 2 && cur()?.state === 'applied', 'v2 applied');
  assert.deepEqual(deployRoots, [null, keptRoot]);
});
