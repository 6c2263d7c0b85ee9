/**
 * Files that arrive in the inbox slowly (scp over a slow link, a USB stick): real files,
 * chokidar as shipped, the real intake and version store (a Manager that is not started,
 * so no driver runs and no daemon is needed). Each pause between writes is longer than
 * the settle time: the test writes the next part only once the inbox has logged that it
 * looked at the incomplete file and is keeping it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { systemClock } from '../../agent/lib/common/clock.ts';
import { generateKeyPair, parsePublicKeyPem, parseSecretKeyPem } from '../../agent/lib/crypto/keys.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import { record, type Core } from '../../agent/manager/core.ts';
import { Inbox } from '../../agent/manager/inbox.ts';
import type { Outcome } from '../../agent/manager/intake.ts';
import { Manager } from '../../agent/manager/manager.ts';
import { NO_NATM, type TransmissionPort } from '../../agent/manager/ports.ts';
import { VersionStore } from '../../agent/manager/store.ts';
import { RolloutGate } from '../../agent/manager/rollout-gate.ts';
import { payloadBytes } from '../helpers/fixtures.ts';
import { legacyRoot } from '../../agent/lib/trust/legacy.ts';
import { fixedTrust } from '../../agent/manager/ports.ts';
import { ManagerMetrics } from '../../agent/manager/metrics.ts';

type Line = { msg: string; file?: string; bytes?: number; level: number };

interface Rig {
  box: string;
  downloads: string;
  core: Core;
  inbox: Inbox;
  /** What each submit returned, and the payload it was given. */
  seen: { kind: Outcome['kind']; payload: string | undefined }[];
  lines: Line[];
  verified: string[];
  raw: Uint8Array;
  infoHash: string;
  payload: Buffer;
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

async function rig(incompleteMs: number): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'p2pm-slow-'));
  const box = join(dir, 'inbox');
  const downloads = join(dir, 'downloads');
  await mkdir(box);
  await mkdir(downloads);
  await mkdir(join(dir, 'src'));
  const kp = await generateKeyPair();
  const payload = payloadBytes(300_000);
  await writeFile(join(dir, 'src', 'app.bin'), payload);
  const raw = await createTorrentPlusPlus(join(dir, 'src', 'app.bin'), {
    uri: 'app:/x',
    version: 1,
    key: await parseSecretKeyPem(kp.secretPem),
    now: Date.now(),
  });
  const config = validateConfig({
    trustedKeys: ['/unused.pub'],
    stateDir: join(dir, 'state'),
    inboxDir: box,
    transmission: { downloadDir: downloads },
  });
  const verified: string[] = [];
  const tx = new Proxy({} as TransmissionPort, {
    get: (_t, k) =>
      k === 'verify'
        ? async (h: string) => void verified.push(h)
        : () => Promise.reject(new Error(`tx.${String(k)}: no daemon in this test`)),
  });
  const lines: Line[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  const core: Core = {
    store: await VersionStore.open(config.stateDir),
    tx,
    natm: NO_NATM,
    executor: {
      accepts: async (uri) => ({ accepted: uri.startsWith('app:/'), highest: null }),
      deploy: () => Promise.reject(new Error('no deploy in this test')),
      rollback: () => Promise.reject(new Error('no rollback in this test')),
    },
    clock: systemClock,
    log,
    config,
    trust: fixedTrust(legacyRoot([parsePublicKeyPem(kp.publicPem)])),
    trackerUrl: () => 'http://127.0.0.1:1/announce',
    gate: new RolloutGate({ tags: new Map(), overlay: false, now: () => Date.now() }),
    metrics: new ManagerMetrics(),
  };
  const manager = new Manager(core, (e) => assert.fail(`fatal: ${String(e)}`));
  const seen: Rig['seen'] = [];
  const inbox = new Inbox(
    {
      submit: async (r, payload) => {
        const o = await manager.submit(r, 'inbox', payload);
        seen.push({ kind: o.kind, payload });
        return o;
      },
      awaiting: (name) => manager.awaitingPayload(name),
      log,
    },
    { dir: box, settleMs: 50, incompleteMs },
  );
  await inbox.start();
  cleanup = async () => {
    await inbox.stop();
    await manager.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return {
    box,
    downloads,
    core,
    inbox,
    seen,
    lines,
    verified,
    raw,
    infoHash: parseTorrentPlusPlus(raw).infoHash,
    payload,
  };
}

/** Polls `pred` every 20 ms; fails after 10 s (a bound for a broken run, not a timing claim). */
async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; !pred(); i++) {
    if (i > 500) assert.fail(`never happened: ${what}`);
    await delay(20);
  }
}

const logged = (r: Rig, msg: string, bytes?: number) => (): boolean =>
  r.lines.some((l) => l.msg === msg && (bytes === undefined || l.bytes === bytes));

const placed = (r: Rig): string => join(r.downloads, r.infoHash, 'app.bin');

test('a torrent copied in three writes, pausing past the settle time, is accepted exactly once', async () => {
  const r = await rig(60_000);
  await writeFile(join(r.box, 'app.bin'), r.payload); // the payload first, whole
  const t = join(r.box, 'app.torrent');
  await writeFile(t, r.raw.subarray(0, 100));
  await until(logged(r, 'inbox file incomplete; waiting', 100), 'first part kept');
  assert.deepEqual(r.inbox.holding(), ['app.torrent']);
  await appendFile(t, r.raw.subarray(100, 250));
  await until(logged(r, 'inbox file incomplete; waiting', 250), 'second part kept');
  await appendFile(t, r.raw.subarray(250));
  await until(() => !existsSync(t) && !existsSync(join(r.box, 'app.bin')), 'torrent and payload taken');
  await r.inbox.settled();
  assert.deepEqual(r.seen, [{ kind: 'accepted', payload: join(r.box, 'app.bin') }]);
  assert.deepEqual(r.core.store.data.refusals, []);
  assert.equal(r.core.store.uri('app:/x')?.highestAccepted, 1);
  assert.deepEqual(await readFile(placed(r)), r.payload, 'the payload placed for the daemon');
  assert.deepEqual(readdirSync(r.box), [], 'nothing left, nothing refused');
  assert.deepEqual(r.inbox.holding(), []);
});

test('a torrent that stays truncated is refused, saying so and how to hand it over', async () => {
  const r = await rig(300);
  await writeFile(join(r.box, 'app.torrent'), r.raw.subarray(0, 200));
  const why = join(r.box, 'refused', 'app.torrent.reason');
  await until(() => existsSync(why), 'refused');
  await r.inbox.settled();
  assert.ok(logged(r, 'inbox file incomplete; waiting', 200)(), 'kept first, not refused at the first look');
  const reason =
    /^MALFORMED: looked truncated: 200 bytes that end inside a bencode value, and the file stopped changing; copy it again, and hand files over atomically: write under a dot-name, then rename \(p2p-update publish does this; scp to \.NAME then mv; rsync is fine/;
  assert.match(await readFile(why, 'utf8'), reason);
  assert.deepEqual(
    await readFile(join(r.box, 'refused', 'app.torrent')),
    Buffer.from(r.raw.subarray(0, 200)),
  );
  const [f, ...more] = r.core.store.data.refusals;
  assert.deepEqual(more, []);
  assert.equal(f?.source, 'inbox');
  assert.match(`${f?.code}: ${f?.reason}`, reason, 'status shows the same reason');
  assert.deepEqual(r.seen, [{ kind: 'refused', payload: undefined }]);
  assert.equal(r.core.store.uri('app:/x'), undefined);
});

test('a payload copied slowly after its torrent is matched and placed', async () => {
  const r = await rig(60_000);
  await writeFile(join(r.box, 'app.torrent'), r.raw);
  await until(() => r.seen.length === 1, 'torrent handled');
  assert.deepEqual(r.seen, [{ kind: 'accepted', payload: undefined }]);
  // The driver would have added it to the daemon by now: the placed payload is re-verified.
  await record(r.core, 'app:/x', 1, { type: 'download-started' });
  const p = join(r.box, 'app.bin');
  await writeFile(p, r.payload.subarray(0, 100_000));
  await until(logged(r, 'inbox payload incomplete; waiting', 100_000), 'first part kept');
  await appendFile(p, r.payload.subarray(100_000, 200_000));
  await until(logged(r, 'inbox payload incomplete; waiting', 200_000), 'second part kept');
  assert.equal(existsSync(placed(r)), false, 'nothing placed from a part');
  await appendFile(p, r.payload.subarray(200_000));
  await until(() => !existsSync(p), 'payload taken');
  await r.inbox.settled();
  assert.deepEqual(await readFile(placed(r)), r.payload);
  assert.deepEqual(r.verified, [r.infoHash], 'the daemon is told to verify the placed file');
  assert.deepEqual(r.seen, [
    { kind: 'accepted', payload: undefined },
    { kind: 'duplicate', payload: p },
  ]);
  assert.deepEqual(r.core.store.data.refusals, []);
});

test('a torrent that lands while its payload is still being copied is not refused: the payload is matched when whole', async () => {
  const r = await rig(60_000);
  const p = join(r.box, 'app.bin');
  await writeFile(p, r.payload.subarray(0, 50_000));
  await writeFile(join(r.box, 'app.torrent'), r.raw);
  await until(logged(r, 'inbox payload incomplete; waiting', 50_000), 'payload kept');
  assert.deepEqual(r.seen, [{ kind: 'accepted', payload: undefined }], 'the part is not handed to intake');
  assert.equal(existsSync(placed(r)), false);
  await appendFile(p, r.payload.subarray(50_000));
  await until(() => !existsSync(p), 'payload taken');
  await r.inbox.settled();
  assert.deepEqual(await readFile(placed(r)), r.payload);
  assert.deepEqual(r.core.store.data.refusals, [], 'no PAYLOAD_MISMATCH for a payload still being copied');
  assert.equal(r.seen.length, 2);
});

test('a payload that stops short is logged and left; a copy that resumes later is still matched', async () => {
  const r = await rig(300);
  await writeFile(join(r.box, 'app.torrent'), r.raw);
  await until(() => r.seen.length === 1, 'torrent handled');
  const p = join(r.box, 'app.bin');
  await writeFile(p, r.payload.subarray(0, 1000));
  await until(logged(r, 'inbox payload incomplete'), 'warned after the quiet bound');
  await r.inbox.settled();
  const warn = r.lines.find((l) => l.msg === 'inbox payload incomplete') as Line & { reason: string };
  assert.equal(warn.level, 40);
  assert.match(warn.reason, /^stopped growing; hand files over atomically: write under a dot-name/);
  assert.ok(existsSync(p), 'left where it is');
  assert.equal(existsSync(placed(r)), false);
  assert.deepEqual(r.inbox.holding(), []);
  await appendFile(p, r.payload.subarray(1000));
  await until(() => !existsSync(p), 'payload taken');
  await r.inbox.settled();
  assert.deepEqual(await readFile(placed(r)), r.payload);
  assert.deepEqual(r.core.store.data.refusals, []);
});
