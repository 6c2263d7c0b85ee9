/**
 * The manager's record of a directory update (docs/manager.md §State): it keeps the signed
 * manifest as its canonical text, and a store whose manifest was damaged stops start-up
 * with STORE_CORRUPT instead of deploying against a wrong list of files.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { parseManifest } from '../../agent/lib/metainfo/manifest.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { checkStore } from '../../agent/manager/store-check.ts';
import { newUpdate } from '../../agent/manager/update-machine.ts';
import { makeTree } from '../helpers/dir-torrent.ts';
import { makeAdmin, tempDir } from '../helpers/fixtures.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  tmp = await tempDir();
});
after(() => tmp.cleanup());

async function dirRecord() {
  const admin = await makeAdmin();
  const root = join(tmp.path, 'tree');
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
