/**
 * How deploys run, with a real executor: as the user a deployer names (a file it writes
 * is that user's), from the executor's own checked copy of the payload (swapping the
 * manager's file during the deploy changes nothing), one deploy at a time (the same
 * update asked twice runs once), and never without a sandbox it asks for.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { systemdRuns } from '../../agent/deploy-executor/units.ts';
import { lookupUser } from '../../agent/deploy-executor/users.ts';
import { waitFor } from '../integration/manager-harness/util.ts';
import { createBed, recorderScript, type Bed } from './bed.ts';

let bed: Bed;
let out: string;
let script: string;

before(async () => {
  bed = await createBed('run-as');
  await chmod(bed.dir, 0o755); // the deployer's user must reach its script and out dir
  out = join(bed.dir, 'out');
  await mkdir(out, { mode: 0o777 });
  await chmod(out, 0o777);
  script = await recorderScript(bed.dir);
  await bed.start({
    'app:/': { type: 'script', path: script, args: [out] },
    'user:/': { type: 'script', path: script, args: [out], user: 'nobody' },
    'ghost:/': { type: 'script', path: script, args: [out], user: 'p2pu-no-such-user' },
    'boxed:/': { type: 'script', path: script, args: [out], sandbox: ['ProtectSystem=strict'] },
  });
});

after(async () => {
  await bed?.close();
});

const lines = async (): Promise<string[]> =>
  (await readFile(join(out, 'deploy.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('a deployer with "user" runs as that user: what it writes is owned by it', async () => {
  const nobody = (await lookupUser('nobody'))!;
  const u = await bed.update('user:/cfg', 1);
  const r = await bed.ask(bed.deployReq(u));
  assert.equal(r['type'], 'applied', JSON.stringify(r));
  const line = (await lines()).find((l) => l.startsWith('user:/cfg 1 '));
  assert.equal(
    line,
    `user:/cfg 1 ${sha(await readFile(u.payload))} ${nobody.uid}`,
    'read its payload as nobody',
  );
  assert.equal((await stat(join(out, 'deploy.log'))).uid, nobody.uid);
  const started = bed.proc.logs.find((l) => l['msg'] === 'deploy started' && l['uri'] === 'user:/cfg');
  assert.equal(started?.['user'], 'nobody');
});

test("the deployer's file is the executor's root-owned copy, readable by the deployer's group only", async () => {
  const u = await bed.update('user:/copy', 1);
  assert.equal((await bed.ask(bed.deployReq(u)))['type'], 'applied');
  const mine = (await readdir(join(bed.stateDir, 'work'))).find((d) => d.startsWith(`${u.infoHash}.`))!;
  const dir = join(bed.stateDir, 'work', mine);
  const copy = await stat(join(dir, basename(u.payload)));
  const nobody = (await lookupUser('nobody'))!;
  assert.deepEqual([copy.uid, copy.gid, copy.mode & 0o777], [0, nobody.gid, 0o640]);
  const d = await stat(dir);
  assert.deepEqual([d.uid, d.gid, d.mode & 0o777], [0, nobody.gid, 0o750]);
  assert.equal((await stat(join(bed.stateDir, 'work'))).mode & 0o777, 0o711);
});

test('a deployer whose user does not exist → USER_UNKNOWN, nothing runs', async () => {
  const u = await bed.update('ghost:/x', 1);
  const r = await bed.ask(bed.deployReq(u));
  assert.equal(r['code'], 'USER_UNKNOWN');
  assert.equal((await lines()).filter((l) => l.startsWith('ghost:/')).length, 0);
});

test('a deployer that asks for a sandbox runs only where systemd can give one', async () => {
  const u = await bed.update('boxed:/x', 1);
  const r = await bed.ask(bed.deployReq(u));
  if (systemdRuns()) assert.equal(r['type'], 'applied', JSON.stringify(r));
  else {
    assert.equal(r['code'], 'SANDBOX_UNAVAILABLE');
    assert.match(String(r['reason']), /sandbox \(ProtectSystem=strict\), and systemd is not running here/);
    assert.equal((await lines()).filter((l) => l.startsWith('boxed:/')).length, 0);
    const rec = (await bed.record()) as { uris: Record<string, unknown> };
    assert.equal(rec.uris['boxed:/x'], undefined, 'not even recorded as started');
  }
});

/** Runs `fn` while deploys of the recorder script wait at their gate; `open` lets them go. */
async function held<T>(fn: (open: () => Promise<void>) => Promise<T>): Promise<T> {
  await rm(join(out, 'gate'), { force: true });
  await writeFile(join(out, 'hold'), '');
  const open = (): Promise<void> => writeFile(join(out, 'gate'), '');
  try {
    return await fn(open);
  } finally {
    await open();
    await rm(join(out, 'hold'), { force: true });
  }
}

const deployStarted = (uri: string): Promise<boolean> =>
  waitFor(
    'deploy started',
    () => bed.proc.logs.some((l) => l['msg'] === 'deploy started' && l['uri'] === uri),
    10_000,
  );

test("the manager's payload swapped during the deploy: the deployer still runs the signed bytes", async () => {
  const u = await bed.update('app:/swap', 1, 64 * 1024);
  const signed = sha(await readFile(u.payload));
  const r = await held(async (open) => {
    const answer = bed.ask(bed.deployReq(u));
    await deployStarted('app:/swap');
    await writeFile(u.payload, randomBytes(64 * 1024)); // the manager (or who has its rights) swaps the bytes
    await open();
    return answer;
  });
  assert.equal(r['type'], 'applied');
  const line = (await lines()).find((l) => l.startsWith('app:/swap 1 '));
  assert.equal(line?.split(' ')[2], signed);
});

test('deploys run one at a time: the same update asked again meanwhile runs once', async () => {
  const u = await bed.update('app:/twice', 1);
  const [a, b] = await held(async (open) => {
    const first = bed.ask(bed.deployReq(u));
    await deployStarted('app:/twice');
    const second = bed.ask(bed.deployReq(u));
    await new Promise((r) => setTimeout(r, 300));
    await open();
    return Promise.all([first, second]);
  });
  assert.deepEqual([a['type'], a['ran'], b['type'], b['ran']], ['applied', true, 'applied', false]);
  assert.equal((await lines()).filter((l) => l.startsWith('app:/twice 1 ')).length, 1);
});
