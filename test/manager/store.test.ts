import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { UriRecord } from '../../agent/manager/model.ts';
import { parseStoreText } from '../../agent/manager/store-check.ts';
import { StoreError } from '../../agent/manager/store-error.ts';
import { readStore, storePath, VersionStore } from '../../agent/manager/store.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'p2pm-store-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rec: UriRecord = { highestAccepted: 3, applied: 2, appliedAt: 5, current: null };

test('a fresh store starts empty; writes survive a reopen; torrents are kept by infohash', () =>
  withDir(async (dir) => {
    const s = await VersionStore.open(dir);
    assert.deepEqual(s.data, { schema: 1, uris: {}, refusals: [] });
    assert.equal(await readStore(dir), null, 'nothing written yet');
    await s.setUri('app:/x', rec);
    await s.saveTorrent('ab'.repeat(20), Buffer.from('d4:infoe'));
    const again = await VersionStore.open(dir);
    assert.deepEqual(again.uri('app:/x'), rec);
    assert.equal((await again.loadTorrent('ab'.repeat(20))).toString(), 'd4:infoe');
    assert.deepEqual((await readStore(dir))?.uris['app:/x'], rec);
    assert.deepEqual((await readdir(dir)).sort(), ['store.json', 'torrents'], 'no temp files left');
  }));

test('refusals are kept most recent first and bounded', () =>
  withDir(async (dir) => {
    const s = await VersionStore.open(dir);
    for (let i = 0; i < 60; i++)
      await s.addRefusal({ at: i, code: 'ROLLBACK', reason: `r${i}`, source: 'inbox' });
    assert.equal(s.data.refusals.length, 50);
    assert.equal(s.data.refusals[0]?.reason, 'r59');
  }));

test('concurrent updates are serialised: none is lost', () =>
  withDir(async (dir) => {
    const s = await VersionStore.open(dir);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.setUri(`app:/u${i}`, { ...rec, highestAccepted: i + 1 })),
    );
    const again = await VersionStore.open(dir);
    assert.equal(Object.keys(again.data.uris).length, 20);
  }));

test('a corrupt or unreadable store stops start-up and is left untouched', () =>
  withDir(async (dir) => {
    await writeFile(storePath(dir), '{"schema":1,"uris":{');
    await assert.rejects(
      VersionStore.open(dir),
      (e: unknown) => e instanceof StoreError && e.code === 'STORE_CORRUPT' && /never reset/.test(e.message),
    );
    assert.equal(await readFile(storePath(dir), 'utf8'), '{"schema":1,"uris":{');
    await writeFile(storePath(dir), JSON.stringify({ schema: 2, uris: {}, refusals: [] }));
    await assert.rejects(VersionStore.open(dir), /schema 2 is not 1/);
    await rm(storePath(dir));
    await writeFile(join(dir, 'store.json'), '');
    await assert.rejects(VersionStore.open(dir), StoreError);
  }));

test('shape errors name the field', () => {
  const base = { schema: 1, refusals: [], uris: {} as Record<string, unknown> };
  assert.throws(
    () => parseStoreText(JSON.stringify({ ...base, uris: { u: { highestAccepted: -1 } } })),
    /uris\["u"\]\.highestAccepted/,
  );
  const cur = {
    version: 1,
    infoHash: 'zz',
    name: 'n',
    sha256: '',
    length: 1,
    deployAttempts: 0,
    state: 'applied',
    at: {},
    progress: 1,
    nextAttemptAt: null,
    deployPid: null,
  };
  const bad = { ...base, uris: { u: { highestAccepted: 1, applied: null, appliedAt: null, current: cur } } };
  assert.throws(() => parseStoreText(JSON.stringify(bad)), /current\.infoHash is bad/);
  const u0 = { highestAccepted: 2, applied: 1, appliedAt: 1, current: null };
  assert.throws(
    () => parseStoreText(JSON.stringify({ ...base, uris: { u: { ...u0, failed: -2 } } })),
    /u"\]\.failed/,
  );
  assert.throws(
    () => parseStoreText(JSON.stringify({ ...base, uris: { u: { ...u0, rolledBack: '2' } } })),
    /\.rolledBack/,
  );
  assert.equal(
    parseStoreText(JSON.stringify({ ...base, uris: { u: { ...u0, failed: 2, rolledBack: 2 } } })).uris['u']!
      .rolledBack,
    2,
  );
  const badState = {
    ...base,
    uris: {
      u: {
        highestAccepted: 1,
        applied: null,
        appliedAt: null,
        current: { ...cur, infoHash: 'a'.repeat(40), state: 'dancing' },
      },
    },
  };
  assert.throws(() => parseStoreText(JSON.stringify(badState)), /state "dancing" unknown/);
});
