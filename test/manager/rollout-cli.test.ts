/**
 * `p2p-update rollout pause|resume|abort|status` as a user runs them (the real binary): the
 * message dropped into the inbox verifies and carries what was asked; a key the node's root
 * does not trust is refused before anything is dropped; --out and `publish FILE.control`;
 * status reads the store, the control book and a members socket (a fake natm here: the real
 * one is in test/e2e/rollout-control.test.ts).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadSecretKey, writeKeyPair } from '../../agent/lib/crypto/key-files.ts';
import { parsePublicKeyPem } from '../../agent/lib/crypto/keys.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { signControl } from '../../agent/lib/rollout/control.ts';
import { openControl } from '../../agent/lib/rollout/control-verify.ts';
import { planOf } from '../../agent/lib/rollout/plan.ts';
import { PPM, type RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import { ControlBook } from '../../agent/manager/control-book.ts';
import { VersionStore } from '../../agent/manager/store.ts';
import { accepted } from '../../agent/manager/update-machine.ts';
import { idsByWave } from '../rollout/fleet-fixture.ts';

const BIN = fileURLToPath(new URL('../../bin/p2p-update', import.meta.url));
const exec = promisify(execFile);
const URI = 'app:/x';
let dir: string;
let pubPem: string;
let keyPath: string;
let otherKey: string;
let cfg: string;
const inbox = () => join(dir, 'inbox');
const state = () => join(dir, 'state');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await exec(process.execPath, [BIN, ...args])) };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const trusted = () => ({ trusted: [parsePublicKeyPem(pubPem)] });
async function dropped(): Promise<Uint8Array[]> {
  const names = (await readdir(inbox()).catch(() => [])).filter((n) => n.endsWith('.control'));
  return Promise.all(names.map(async (n) => new Uint8Array(await readFile(join(inbox(), n)))));
}
async function clearInbox(): Promise<void> {
  await rm(inbox(), { recursive: true, force: true });
  await mkdir(inbox(), { recursive: true });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pm-rollout-cli-'));
  const k = await writeKeyPair(join(dir, 'admin'));
  keyPath = k.keyPath;
  pubPem = await readFile(k.pubPath, 'utf8');
  otherKey = (await writeKeyPair(join(dir, 'other'))).keyPath;
  cfg = join(dir, 'manager.json');
  await writeFile(
    cfg,
    JSON.stringify({
      trustedKeys: [k.pubPath],
      stateDir: state(),
      inboxDir: inbox(),
      transmission: { downloadDir: join(dir, 'dl'), url: 'http://127.0.0.1:9/transmission/rpc' },
      natmSocket: join(dir, 'natm.sock'),
    }),
  );
  await mkdir(inbox(), { recursive: true });
  await mkdir(state(), { recursive: true });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('rollout pause signs a control message and drops it into the inbox; the seq defaults to Unix ms', async () => {
  const t0 = Date.now();
  const r = await cli('rollout', 'pause', URI, '7', '--key', keyPath, '--config', cfg);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^queued pause of app:\/x version 7 \(seq \d+\) in /);
  const [raw, ...more] = await dropped();
  assert.equal(more.length, 0);
  const c = await openControl(raw!, trusted());
  assert.deepEqual(
    { ...c, seq: 0, issued: 0 },
    { uri: URI, version: 7, action: 'pause', rollback: false, seq: 0, issued: 0 },
  );
  assert.ok(c.seq >= t0 && c.seq <= Date.now(), `seq ${c.seq}`);
});

test('a key the root does not trust is refused (UNKNOWN_SIGNER) and nothing is dropped', async () => {
  await clearInbox();
  const r = await cli('rollout', 'resume', URI, '7', '--key', otherKey, '--config', cfg);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error UNKNOWN_SIGNER: signed by [0-9a-f]{16}: 0 trusted admin key\(s\), 1 needed/);
  assert.deepEqual(await dropped(), []);
  const bad = await cli('rollout', 'pause', URI, 'seven', '--key', keyPath);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^usage error: VERSION must be a non-negative integer/);
  assert.equal((await cli('rollout', 'pause', URI, '7', '--key', keyPath, '--rollback')).code, 2);
});

test('abort --rollback --out writes the message; publish FILE.control drops it; an older seq than the held one is not published', async () => {
  await clearInbox();
  const out = join(dir, 'abort.control');
  const w = await cli(
    'rollout',
    'abort',
    URI,
    '7',
    '--key',
    keyPath,
    '--rollback',
    '--seq',
    '5',
    '--out',
    out,
  );
  assert.equal(w.code, 0, w.stderr);
  assert.deepEqual(await dropped(), [], '--out only writes the file');
  const c = await openControl(new Uint8Array(await readFile(out)), trusted());
  assert.deepEqual([c.action, c.rollback, c.seq], ['abort', true, 5]);
  const p = await cli('publish', out, '--config', cfg);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /^queued abort --rollback of app:\/x version 7 \(seq 5\)/);
  assert.equal((await dropped()).length, 1);
  // This node holds seq 6 already: seq 5 is not published.
  const book = await ControlBook.open(state());
  const six = await signControl(
    { uri: URI, version: 7, seq: 6, action: 'abort', rollback: false, issued: 1 },
    [await loadSecretKey(keyPath)],
  );
  await book.offer(await openControl(six, trusted()), six, Date.now());
  await clearInbox();
  const again = await cli('publish', out, '--config', cfg);
  assert.equal(again.code, 1);
  assert.match(again.stdout, /this node holds seq 6 already; nothing to publish/);
  assert.deepEqual(await dropped(), []);
});

test('rollout status: per wave counts, gates and why, from the store, the control book and natm', async () => {
  const none = await cli('rollout', 'status', 'app:/none', '--config', cfg);
  assert.equal(none.code, 1);
  assert.match(none.stdout, /app:\/none: this node holds no update of it/);
  const issued = Math.floor(Date.now() / 1000) - 100;
  const policy: RolloutPolicy = {
    issued,
    waves: [
      { fraction: 100_000, start: 0 },
      { fraction: 500_000, start: 50, gate: 900_000 },
      { fraction: PPM, start: 3600, gate: 900_000 },
    ],
    errorThreshold: 300_000,
    grace: 600,
    quorum: 500_000,
  };
  const payload = join(dir, 'p.bin');
  await writeFile(payload, 'payload');
  const raw = await createTorrentPlusPlus(payload, {
    ...{ uri: URI, version: 8, key: await loadSecretKey(keyPath), now: Date.now(), rollout: policy },
  });
  const u = await verifyTorrentPlusPlus(raw, { ...trusted(), now: Date.now() });
  const store = await VersionStore.open(state());
  await store.setUri(URI, accepted(undefined, u, Date.now()));
  // Canary: 3 applied, 1 failed; wave 2: 2 downloaded, 1 not seen.
  const [w1, w2] = idsByWave(planOf(URI, 8, policy), 4) as [string[], string[]];
  const row = (id: string, applied: boolean, st: string | null) => ({
    ...{ id, status: 'alive', stateSeq: 1, signed: true, tags: '' },
    applied: applied ? { [URI]: 8 } : {},
    current: st === null ? null : { uri: URI, version: 8, state: st, progress: 100 },
  });
  const members = [
    ...w1.slice(0, 3).map((id) => row(id, true, null)),
    row(w1[3]!, false, 'failed'),
    row(w2[0]!, false, 'deploying'),
    row(w2[1]!, false, 'deploying'),
    { id: w2[2]!, status: 'alive', stateSeq: null },
  ];
  const server: Server = createServer((s) =>
    s.on('data', () =>
      s.end(`${JSON.stringify({ type: 'members', nodeId: w2[0], now: Date.now(), members })}\n`),
    ),
  );
  await new Promise<void>((res) => server.listen(join(dir, 'natm.sock'), res));
  try {
    const r = await cli('rollout', 'status', URI, '--config', cfg);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(
      lines[0]!,
      /^app:\/x version 8: rollout policy; admin control: running \(no control message\)$/,
    );
    assert.match(
      lines[1]!,
      /wave\s+targeted\s+downloaded\s+applied\s+failed\s+rolled back\s+not seen\s+gate/,
    );
    assert.match(lines[2]!, /^\s*1\s+4\s+0\s+3\s+1\s+0\s+0\s+open$/);
    assert.match(lines[3]!, /^\s*2\s+3\s+2\s+0\s+0\s+0\s+1\s+closed$/);
    assert.match(lines[4]!, /^\s*3\s+0\s+0\s+0\s+0\s+0\s+0\s+waiting$/);
    assert.match(
      r.stdout,
      /wave 2 \(from .*\): closed \(gate\): earlier waves: 3 of 4 applied \(75%\), gate 90%/,
    );
    assert.match(r.stdout, /wave 3 \(from .*\): waiting \(too-early\): starts at /);
    // Paused by the admin: every gate closed, and why.
    const book = await ControlBook.open(state());
    const pause = await signControl(
      { uri: URI, version: 8, seq: 3, action: 'pause', rollback: false, issued: 1 },
      [await loadSecretKey(keyPath)],
    );
    await book.offer(await openControl(pause, trusted()), pause, Date.now());
    const j = await cli('rollout', 'status', URI, '8', '--config', cfg, '--json');
    assert.equal(j.code, 0, j.stderr);
    const rep = JSON.parse(j.stdout) as {
      control: object;
      waves: { gate: string; why: string; applied: number }[];
    };
    assert.deepEqual(rep.control, { state: 'paused', seq: 3, rollback: false });
    assert.deepEqual(
      rep.waves.map((w) => [w.gate, w.why, w.applied]),
      [
        ['closed', 'paused', 3],
        ['closed', 'paused', 0],
        ['closed', 'paused', 0],
      ],
    );
    const other = await cli('rollout', 'status', URI, '9', '--config', cfg);
    assert.equal(other.code, 1);
    assert.match(other.stdout, /version 9: not the update this node holds \(it holds version 8\)/);
  } finally {
    await new Promise((res) => server.close(res));
  }
  const gone = await cli('rollout', 'status', URI, '--config', cfg);
  assert.equal(gone.code, 1);
  assert.match(gone.stdout, /natm did not answer: cannot reach natm/);
});
