/**
 * Payload bytes swapped after the download: B's manager is killed while downloading,
 * its daemon finishes, then the file on disk is replaced by other bytes of the same
 * length. The restarted manager checks length and SHA-256 against the signed values,
 * refuses (PAYLOAD_MISMATCH), marks the update failed and deploys nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appliedLines, waitUri } from './manager-harness/node.ts';
import { createPair, type Pair } from './manager-harness/pair.ts';
import { waitFor } from './manager-harness/util.ts';

let p: Pair;

before(async () => {
  p = await createPair('swap');
});

after(async () => {
  await p?.close();
});

interface T {
  percentDone: number;
  leftUntilDone: number;
  status: number;
}

test(
  'payload swapped after the download → PAYLOAD_MISMATCH, nothing deployed',
  { timeout: 110_000 },
  async () => {
    const uri = 'app:/swap';
    const t = await p.publish(uri, 1, 1024 * 1024);
    await waitUri(p.b, uri, (r) => r.current?.state === 'downloading', 30_000);
    await p.b.kill9Manager();
    const get = async (): Promise<T> =>
      (
        await p.b.daemon.rpc.call<{ torrents: T[] }>('torrent-get', {
          ids: [t.infoHash],
          fields: ['percentDone', 'leftUntilDone', 'status'],
        })
      ).torrents[0]!;
    await waitFor(
      'B daemon finished',
      async () => {
        const x = await get();
        return x.percentDone === 1 && x.leftUntilDone === 0;
      },
      90_000,
    );
    // Stop (the daemon flushes its cache), then swap the bytes on disk.
    await p.b.daemon.rpc.call('torrent-stop', { ids: [t.infoHash] });
    await waitFor('stopped', async () => (await get()).status === 0, 10_000);
    const file = join(p.b.daemon.downloadDir, t.infoHash, t.name); // the torrent's own dir
    const size = (await stat(file)).size;
    await writeFile(file, randomBytes(size));
    await p.b.daemon.rpc.call('torrent-start', { ids: [t.infoHash] });
    await p.b.startManager();
    const r = await waitUri(p.b, uri, (r) => r.current?.state === 'failed' || r.applied !== null, 30_000);
    assert.equal(r.current?.state, 'failed');
    assert.equal(r.applied, null);
    assert.equal(r.highestAccepted, 1, 'the version stays accepted: an older one is still refused');
    assert.match(r.current?.lastError ?? '', /SHA-256/);
    const s = (await p.b.store())!;
    assert.equal(s.refusals[0]?.code, 'PAYLOAD_MISMATCH');
    assert.equal(s.refusals[0]?.source, 'payload');
    assert.equal(s.refusals[0]?.infoHash, t.infoHash);
    assert.deepEqual(await appliedLines(p.b), []);
    assert.ok(p.b.logs.some((l) => l['msg'] === 'update refused' && l['code'] === 'PAYLOAD_MISMATCH'));
  },
);
