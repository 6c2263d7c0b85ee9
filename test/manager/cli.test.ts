/** The manager's commands as a user runs them: start-up errors, publish checks, status. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadSecretKey, writeKeyPair } from '../../agent/lib/crypto/key-files.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';

const BIN = fileURLToPath(new URL('../../bin/p2p-update', import.meta.url));
const exec = promisify(execFile);
let dir: string;
let pub: string;
let keyPath: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [BIN, ...args]);
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

async function config(extra: object = {}): Promise<string> {
  const path = join(dir, `cfg-${Math.random().toString(16).slice(2)}.json`);
  const base = {
    trustedKeys: [pub],
    stateDir: join(dir, 'state'),
    inboxDir: join(dir, 'inbox'),
    transmission: { downloadDir: join(dir, 'dl'), url: 'http://127.0.0.1:9/transmission/rpc' },
    tracker: { port: 0 },
  };
  await writeFile(path, JSON.stringify({ ...base, ...extra }));
  return path;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pm-cli-'));
  ({ pubPath: pub, keyPath } = await writeKeyPair(join(dir, 'admin')));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a config with an unknown key stops the manager with one line naming it', async () => {
  const r = await cli('manager', '--config', await config({ transmision: {} }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error CONFIG: config transmision: unknown key/);
  const missing = await cli('manager', '--config', join(dir, 'nope.json'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /error CONFIG: config file .*nope\.json: cannot read \(ENOENT\)/);
  assert.equal((await cli('manager', '--bogus')).code, 2);
});

test('a corrupt store stops start-up and is left as it was', async () => {
  const state = join(dir, 'state-corrupt');
  await mkdir(state, { recursive: true });
  await writeFile(join(state, 'store.json'), '{"schema":1,');
  const r = await cli('manager', '--config', await config({ stateDir: state }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error STORE_CORRUPT: store: not valid JSON .*never reset/);
  assert.equal(await readFile(join(state, 'store.json'), 'utf8'), '{"schema":1,');
});

test('publish refuses a torrent the node would refuse, and drops nothing', async () => {
  const payload = join(dir, 'p.bin');
  await writeFile(payload, 'payload');
  const raw = Buffer.from(
    await createTorrentPlusPlus(payload, {
      uri: 'app:/x',
      version: 1,
      key: await loadSecretKey(keyPath),
      now: Date.now(),
    }),
  );
  const at = raw.indexOf('6:pieces') + 12;
  raw[at] = raw[at]! ^ 1;
  await writeFile(join(dir, 'forged.torrent'), raw);
  const cfg = await config({ inboxDir: join(dir, 'inbox-pub') });
  await mkdir(join(dir, 'inbox-pub'));
  const r = await cli('publish', join(dir, 'forged.torrent'), '--payload', payload, '--config', cfg);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error BAD_SIGNATURE/);
  assert.deepEqual(await readdir(join(dir, 'inbox-pub')), []);
});

test('status: nothing yet, then what the store holds (text and --json)', async () => {
  const state = join(dir, 'state-status');
  const cfg = await config({ stateDir: state });
  assert.equal(
    (await cli('status', '--config', cfg)).stdout,
    'no updates yet\nconnectivity: unknown (no natmSocket configured (runs without the overlay))\n',
  );
  await mkdir(state, { recursive: true });
  // A refusal and no update held: the text shows the refusal (it used to say only "no updates yet").
  const refusal = {
    at: Date.parse('2026-12-03T10:00:00Z'),
    code: 'EXPIRED',
    reason: 'expired at 2026-12-03T09:00:00.000Z, local clock 2026-12-04T10:00:00.000Z',
    source: 'natm',
    uri: 'app:/x',
    version: 5,
  };
  await writeFile(join(state, 'store.json'), JSON.stringify({ schema: 1, refusals: [refusal], uris: {} }));
  assert.deepEqual((await cli('status', '--config', cfg)).stdout.split('\n').slice(0, 3), [
    'no updates yet',
    'recent refusals:',
    '  2026-12-03T10:00:00.000Z EXPIRED app:/x 5: expired at 2026-12-03T09:00:00.000Z, local clock 2026-12-04T10:00:00.000Z',
  ]);
  const store = {
    schema: 1,
    refusals: [],
    uris: { 'app:/x': { highestAccepted: 4, applied: 3, appliedAt: 1, current: null } },
  };
  await writeFile(join(state, 'store.json'), JSON.stringify(store));
  assert.match((await cli('status', '--config', cfg)).stdout, /app:\/x\n {4}applied 3, highest accepted 4/);
  const j = JSON.parse((await cli('status', '--json', '--config', cfg)).stdout) as {
    uris: { applied: number }[];
    connectivity: unknown;
    connectivityError: string;
  };
  assert.equal(j.uris[0]?.applied, 3);
  assert.equal(j.connectivity, null);
  assert.match(j.connectivityError, /no natmSocket/);
});
