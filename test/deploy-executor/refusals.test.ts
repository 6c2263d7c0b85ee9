/**
 * One test per forged or wrong deploy request against a real executor: each is refused
 * with its code and deploys nothing (the recorder script never ran, the record's floor
 * is unchanged). The executor trusts no field of the request: it reads the torrent and
 * the payload itself and checks them against its own keys, record and deployers.
 */
import assert from 'node:assert/strict';
import { mkfifo } from './mkfifo.ts';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { edit, signerEntry } from '../helpers/bencode-edit.ts';
import { makeAdmin } from '../integration/manager-harness/updates.ts';
import { createBed, recorderScript, type Bed } from './bed.ts';

let bed: Bed;
let out: string;

before(async () => {
  bed = await createBed('refusals');
  out = join(bed.dir, 'out');
  await mkdir(out);
  const script = await recorderScript(bed.dir);
  await bed.start({ 'app:/': { type: 'script', path: script, args: [out] } });
});

after(async () => {
  await bed?.close();
});

const ran = async (): Promise<string[]> =>
  (await readFile(join(out, 'deploy.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);

async function refused(req: object, code: string, reason: RegExp): Promise<void> {
  const before = await ran();
  const r = await bed.ask(req);
  assert.equal(r['type'], 'refused', JSON.stringify(r));
  assert.equal(r['code'], code, String(r['reason']));
  assert.match(String(r['reason']), reason);
  assert.deepEqual(await ran(), before, 'nothing ran');
  assert.ok(
    bed.proc.logs.some((l) => l['msg'] === 'request refused' && l['code'] === code),
    'logged',
  );
}

test('a genuine request deploys once; asked again it is `applied` without running again', async () => {
  const u = await bed.update('app:/ok', 1);
  const r = await bed.ask(bed.deployReq(u));
  assert.equal(r['type'], 'applied', JSON.stringify(r));
  assert.equal(r['ran'], true);
  const again = await bed.ask(bed.deployReq(u));
  assert.equal(again['type'], 'applied');
  assert.equal(again['ran'], false);
  assert.equal((await ran()).filter((l) => l.startsWith('app:/ok 1 ')).length, 1);
});

test('signed by a key the executor does not trust → UNKNOWN_SIGNER', async () => {
  const mallory = await makeAdmin(bed.dir, 'mallory');
  const u = await bed.update('app:/x', 1, 4096, mallory);
  await refused(bed.deployReq(u), 'UNKNOWN_SIGNER', /none is a trusted admin key/);
});

test('a signature that does not match (content changed after signing) → BAD_SIGNATURE', async () => {
  const u = await bed.update('app:/x', 2);
  const forged = edit(await readFile(u.torrent), (top) => {
    signerEntry(top)['info']['version'] = 99;
  });
  await writeFile(u.torrent, forged);
  await refused(bed.deployReq(u, { version: 99 }), 'BAD_SIGNATURE', /does not match/);
});

test('a payload that is not the signed one → PAYLOAD_MISMATCH', async () => {
  const u = await bed.update('app:/x', 3, 4096);
  const other = await bed.update('app:/other', 1, 4096);
  await refused(bed.deployReq(u, { payload: other.payload }), 'PAYLOAD_MISMATCH', /SHA-256/);
  await writeFile(join(bed.inputs, 'longer.bin'), Buffer.alloc(5000));
  await refused(
    bed.deployReq(u, { payload: join(bed.inputs, 'longer.bin') }),
    'PAYLOAD_MISMATCH',
    /more than/,
  );
});

test('a request whose infohash, version or URI is not what the torrent is signed for → REQUEST_MISMATCH', async () => {
  const u = await bed.update('app:/x', 4);
  await refused(
    bed.deployReq(u, { infoHash: 'f'.repeat(40) }),
    'REQUEST_MISMATCH',
    /the torrent is app:\/x v4/,
  );
  await refused(bed.deployReq(u, { version: 5 }), 'REQUEST_MISMATCH', /asked for app:\/x v5/);
  await refused(bed.deployReq(u, { uri: 'app:/y' }), 'REQUEST_MISMATCH', /asked for app:\/y v4/);
});

test("a version not above the executor's own record → ROLLBACK, also with a fresh signature", async () => {
  const v5 = await bed.update('app:/floor', 5);
  assert.equal((await bed.ask(bed.deployReq(v5)))['type'], 'applied');
  const v4 = await bed.update('app:/floor', 4);
  await refused(bed.deployReq(v4), 'ROLLBACK', /version 4 is below the highest deployed here, 5/);
  const other5 = await bed.update('app:/floor', 5);
  await refused(bed.deployReq(other5), 'ROLLBACK', /version 5 equals \(with another infohash\)/);
  const rec = (await bed.record()) as { uris: Record<string, { floor: { version: number } }> };
  assert.equal(rec.uris['app:/floor']?.floor.version, 5);
});

test('a URI no deployer accepts → URI_NOT_ACCEPTED (and `accepts` says so)', async () => {
  const u = await bed.update('pkg:/nothing-here', 1);
  await refused(bed.deployReq(u), 'URI_NOT_ACCEPTED', /no deployer is configured for pkg:\/nothing-here/);
  assert.deepEqual(await bed.ask({ type: 'accepts', uri: 'pkg:/nothing-here' }), {
    type: 'accepts',
    uri: 'pkg:/nothing-here',
    accepted: false,
    highest: null,
  });
  const yes = await bed.ask({ type: 'accepts', uri: 'app:/floor' });
  assert.equal(yes['accepted'], true);
  assert.equal(yes['highest'], 5);
});

test('files outside the input dirs, symlinks out of them, FIFOs and directories → INPUT_REFUSED', async () => {
  const u = await bed.update('app:/x', 6);
  await refused(
    bed.deployReq(u, { payload: '/etc/shadow' }),
    'INPUT_REFUSED',
    /not under an input directory/,
  );
  await refused(
    bed.deployReq(u, { torrent: '/etc/passwd' }),
    'INPUT_REFUSED',
    /not under an input directory/,
  );
  await symlink('/etc/shadow', join(bed.inputs, 'link'));
  await refused(
    bed.deployReq(u, { payload: join(bed.inputs, 'link') }),
    'INPUT_REFUSED',
    /cannot open \(ELOOP\)/,
  );
  await mkdir(join(bed.inputs, 'via'));
  await symlink('/etc', join(bed.inputs, 'via', 'etc'));
  const through = join(bed.inputs, 'via', 'etc', 'shadow');
  await refused(bed.deployReq(u, { payload: through }), 'INPUT_REFUSED', /not under an input directory/);
  const fifo = join(bed.inputs, 'fifo');
  await mkfifo(fifo);
  await refused(bed.deployReq(u, { payload: fifo }), 'INPUT_REFUSED', /not a regular file/);
  await refused(
    bed.deployReq(u, { payload: join(bed.inputs, 'via') }),
    'INPUT_REFUSED',
    /not a regular file/,
  );
  await refused(bed.deployReq(u, { payload: join(bed.inputs, 'none') }), 'INPUT_REFUSED', /ENOENT/);
});

test('a rollback of an update this executor never deployed → NOT_DEPLOYED_LAST (rollback.test.ts has the rest)', async () => {
  await refused(
    { type: 'rollback', uri: 'app:/floor', version: 5, infoHash: 'a'.repeat(40) },
    'NOT_DEPLOYED_LAST',
    /not the update deployed last here/,
  );
});

test('a record that cannot be written → RECORD_IO, and the deployer does not run', async () => {
  await rename(join(bed.stateDir, 'record.json'), join(bed.dir, 'record.saved'));
  await mkdir(join(bed.stateDir, 'record.json', 'blocker'), { recursive: true }); // no rename over it
  try {
    const u = await bed.update('app:/io', 1);
    await refused(bed.deployReq(u), 'RECORD_IO', /record .*cannot write/);
  } finally {
    await rm(join(bed.stateDir, 'record.json'), { recursive: true, force: true });
    await rename(join(bed.dir, 'record.saved'), join(bed.stateDir, 'record.json'));
  }
});
