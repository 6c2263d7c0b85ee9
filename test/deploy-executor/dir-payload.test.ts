/**
 * A directory payload through a real deploy executor (docs/deploy-executor.md §Checks):
 * the genuine tree deploys and the script sees P2PU_DIR (a checked copy in the work dir,
 * every file of the manifest with its bytes, nothing else); a tree with a link planted
 * before the deploy, an extra or missing file, or a file swapped after download is
 * refused PAYLOAD_MISMATCH naming its code, and nothing runs.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sign } from '../integration/manager-harness/updates.ts';
import { makeTree } from '../helpers/dir-torrent.ts';
import { createBed, type Bed, type Update } from './bed.ts';

let bed: Bed;
let out: string;
let n = 0;

const TREE = {
  'run.sh': '#!/bin/sh\necho hi\n',
  'conf/app.conf': 'port=8080\n',
  'conf/keys/k1': 'k'.repeat(40_000),
};

before(async () => {
  bed = await createBed('dir');
  out = join(bed.dir, 'out');
  await mkdir(out);
  const script = join(bed.dir, 'list-dir.sh');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      'set -eu',
      '[ "$P2PU_DIR" = "$P2PU_FILE" ]',
      'cd "$P2PU_DIR"',
      `{ echo "$P2PU_URI $P2PU_VERSION $(basename "$P2PU_DIR")"; find . -type f -o -type l | LC_ALL=C sort | xargs sha256sum; } >>"${out}/deploy.log"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  await bed.start({ 'app:/': { type: 'script', path: script } });
});

after(async () => {
  await bed?.close();
});

const ran = async (): Promise<string> => readFile(join(out, 'deploy.log'), 'utf8').catch(() => '');

/** A tree in the executor's input dir (standing for the manager's download dir) and its signed torrent. */
async function dirUpdate(uri: string, version: number): Promise<Update & { root: string }> {
  const root = join(bed.inputs, `tree${++n}`, 'app');
  await makeTree(root, TREE);
  const t = await sign(bed.admin, root, join(bed.inputs, `tree${n}.torrent`), { uri, version });
  return { uri, version, infoHash: t.infoHash, torrent: t.path, payload: root, root };
}

async function refused(u: Update, code: RegExp): Promise<void> {
  const before = await ran();
  const r = await bed.ask(bed.deployReq(u));
  assert.equal(r['type'], 'refused', JSON.stringify(r));
  assert.equal(r['code'], 'PAYLOAD_MISMATCH', String(r['reason']));
  assert.match(String(r['reason']), code);
  assert.equal(await ran(), before, 'nothing ran');
}

test('a directory payload deploys: P2PU_DIR holds exactly the signed files', async () => {
  const u = await dirUpdate('app:/dir-ok', 1);
  const r = await bed.ask(bed.deployReq(u));
  assert.equal(r['type'], 'applied', JSON.stringify(r));
  const log = (await ran()).trim().split('\n');
  assert.equal(log[0], 'app:/dir-ok 1 app');
  assert.deepEqual(
    log.slice(1).map((l) => l.split('  ')[1]),
    ['./conf/app.conf', './conf/keys/k1', './run.sh'],
  );
  const sums = await Promise.all(
    ['conf/app.conf', 'conf/keys/k1', 'run.sh'].map(async (p) => {
      const { createHash } = await import('node:crypto');
      return createHash('sha256')
        .update(await readFile(join(u.root, p)))
        .digest('hex');
    }),
  );
  assert.deepEqual(
    log.slice(1).map((l) => l.split('  ')[0]),
    sums,
  );
});

test('a symlink planted in the download dir before the deploy → PAYLOAD_MISMATCH LINK', async () => {
  const u = await dirUpdate('app:/dir-link', 1);
  await rm(join(u.root, 'conf', 'app.conf'));
  await symlink('/etc/hostname', join(u.root, 'conf', 'app.conf'));
  await refused(u, /^LINK: /);
  const v = await dirUpdate('app:/dir-link2', 1);
  await rm(join(v.root, 'conf'), { recursive: true });
  await symlink('/etc', join(v.root, 'conf'));
  await refused(v, /^LINK: /);
});

test('a file swapped after download → PAYLOAD_MISMATCH FILE_MISMATCH', async () => {
  const u = await dirUpdate('app:/dir-swap', 1);
  await writeFile(join(u.root, 'run.sh'), '#!/bin/sh\necho HI\n');
  await refused(u, /^FILE_MISMATCH: "run.sh" has SHA-256/);
});

test('an extra file or a missing file → PAYLOAD_MISMATCH EXTRA_FILE / MISSING_FILE', async () => {
  const u = await dirUpdate('app:/dir-extra', 1);
  await writeFile(join(u.root, 'conf', 'evil.conf'), 'x');
  await refused(u, /^EXTRA_FILE: "conf\/evil.conf"/);
  const v = await dirUpdate('app:/dir-missing', 1);
  await rm(join(v.root, 'run.sh'));
  await refused(v, /^MISSING_FILE: "run.sh"/);
});

test('the directory itself a link → refused', async () => {
  const u = await dirUpdate('app:/dir-top-link', 1);
  const away = join(bed.inputs, 'away');
  await symlink(u.root, away);
  await refused({ ...u, payload: away }, /^LINK: /);
});

test('a rollback re-checks the kept directory file by file and gives the deployer P2PU_DIR again', async () => {
  // v1 and v2 carry the same tree (one infohash): the rollback still goes back by version.
  const [v1, v2] = [await dirUpdate('app:/dir-back', 1), await dirUpdate('app:/dir-back', 2)];
  assert.equal(v1.infoHash, v2.infoHash);
  for (const u of [v1, v2]) assert.equal((await bed.ask(bed.deployReq(u)))['type'], 'applied');
  const { readdir } = await import('node:fs/promises');
  const work = join(bed.stateDir, 'work');
  const kept = (await readdir(work)).find((d) => d.startsWith(v1.infoHash) && !d.endsWith('.torrent'))!;
  const file = join(work, kept, 'app', 'conf', 'app.conf');
  const good = await readFile(file);
  await writeFile(file, 'port=6666\n');
  const before = await ran();
  const ask = { type: 'rollback', uri: v2.uri, version: 2, infoHash: v2.infoHash };
  const bad = await bed.ask(ask);
  assert.deepEqual([bad['type'], bad['code']], ['refused', 'PAYLOAD_MISMATCH'], JSON.stringify(bad));
  assert.match(String(bad['reason']), /kept directory: "conf\/app.conf" does not match/);
  assert.equal(await ran(), before, 'nothing ran');
  await writeFile(file, good);
  const back = await bed.ask(ask);
  assert.equal(back['type'], 'rolled-back', JSON.stringify(back));
  assert.deepEqual(back['to'], { version: 1, infoHash: v1.infoHash });
  assert.match(
    (await ran()).slice(before.length),
    /^app:\/dir-back 1 app\n/,
    'run again with P2PU_DIR, as v1',
  );
});

test('a deb deployer refuses a directory payload → UNSUPPORTED, nothing runs', async () => {
  const u = await dirUpdate('deb:/dir', 1);
  await bed.start({ 'deb:/': { type: 'deb', aptArgs: [] } });
  const r = await bed.ask(bed.deployReq(u));
  assert.equal(r['type'], 'refused', JSON.stringify(r));
  assert.equal(r['code'], 'UNSUPPORTED');
  assert.match(String(r['reason']), /a deb deployer installs one .deb file; this update is a directory/);
});
