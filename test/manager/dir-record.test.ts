/**
 * The manager's record of a directory update (docs/manager.md §State): it keeps the signed
 * manifest as its canonical text, and a store whose manifest was damaged stops start-up
 * with STORE_CORRUPT instead of deploying against a wrong list of files; the payload check
 * (step 9) takes the manifest from the record and refuses a tampered download dir.
 */
import assert from 'node:assert/strict';
import { cp, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { parseManifest } from '../../agent/lib/metainfo/manifest.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { checkStore } from '../../agent/manager/store-check.ts';
import { payloadMismatch } from '../../agent/manager/step-payload.ts';
import { newUpdate } from '../../agent/manager/update-machine.ts';
import { makeTree } from '../helpers/dir-torrent.ts';
import { makeAdmin, tempDir } from '../helpers/fixtures.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  tmp = await tempDir();
});
after(() => tmp.cleanup());

async function dirRecord(root = join(tmp.path, 'tree')) {
  const admin = await makeAdmin();
  await makeTree(root, { a: 'x', 'b/c': 'yy' });
  const raw = await createTorrentPlusPlus(root, { uri: 'app:/t', version: 2, key: admin.secret, now: 0 });
  const u = await verifyTorrentPlusPlus(raw, { trusted: [admin.pub], now: 0 });
  return newUpdate(u, 1000);
}

const store = (current: object) => ({
  schema: 1,
  uris: { 'app:/t': { highestAccepted: 2, applied: null, appliedAt: null, current } },
  refusals: [],
});

test('a directory update is recorded with its manifest; the store check takes it', async () => {
  const c = await dirRecord();
  assert.equal(c.name, 'tree');
  assert.deepEqual(
    parseManifest(Buffer.from(c.manifest!), 'manifest').map((f) => [f.path, f.length]),
    [
      ['a', 1],
      ['b/c', 2],
    ],
  );
  checkStore(store(c));
});

test('a damaged manifest in the store is STORE_CORRUPT', async () => {
  const c = await dirRecord();
  for (const manifest of [c.manifest!.replace('b/c', '../c'), 42, c.manifest!.slice(0, -1)])
    assert.throws(
      () => checkStore(store({ ...c, manifest })),
      (e: unknown) => (e as { code?: string }).code === 'STORE_CORRUPT',
    );
});

test("step 9 checks the download dir against the record's manifest: a planted link or an extra file is refused", async () => {
  const src = join(tmp.path, 'src', 'tree');
  const c = await dirRecord(src);
  const downloadDir = join(tmp.path, 'downloads');
  const core = { config: { transmission: { downloadDir } } } as never;
  const there = join(downloadDir, c.infoHash, c.name);
  await cp(src, there, { recursive: true });
  assert.equal(await payloadMismatch(core, c), null);
  await writeFile(join(there, 'b', 'extra'), 'z');
  assert.match(String(await payloadMismatch(core, c)), /^EXTRA_FILE: "b\/extra"/);
  await rm(join(there, 'b', 'extra'));
  await rm(join(there, 'a'));
  await symlink(join(src, 'a'), join(there, 'a'));
  assert.match(String(await payloadMismatch(core, c)), /^LINK: a: a symbolic link/);
});
