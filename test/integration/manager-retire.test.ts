/**
 * Old versions do not pile up: with a real manager and a real transmission-daemon, after
 * version 2 of a URI is applied, version 1's torrent is removed from the daemon with its
 * data (its own downloadDir/<infohash>/ gone) and its kept torrent file deleted, while
 * version 2 — same info.name, other bytes — keeps seeding.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createNode, dropRaw, waitUri, type TestNode } from './manager-harness/node.ts';
import { createNetns, type Netns } from './manager-harness/netns.ts';
import { makeAdmin, makePayload, sign, type Admin, type Signed } from './manager-harness/updates.ts';
import { tempDir, waitFor } from './manager-harness/util.ts';

const URI = 'app:/retire';
let tmp: Awaited<ReturnType<typeof tempDir>>;
let ns: Netns;
let admin: Admin;
let a: TestNode;

before(async () => {
  tmp = await tempDir('retire');
  ns = await createNetns();
  admin = await makeAdmin(tmp.path);
  a = await createNode(tmp.path, 'a', admin.pubPath, ns, '10.1.0.1');
  await a.daemon.start();
  await a.writeConfig({});
  await a.startManager();
});

after(async () => {
  await a?.shutdown();
  await ns?.remove();
  await tmp?.remove();
});

/** Version `v` of app.bin (same name every version), dropped with its payload. */
async function publish(v: number): Promise<Signed> {
  const dir = join(tmp.path, `v${v}`);
  await mkdir(dir, { recursive: true });
  const payload = await makePayload(dir, 'app.bin', 48 * 1024);
  const t = await sign(admin, payload, join(dir, 'app.torrent'), { uri: URI, version: v });
  await dropRaw(a, 'app.bin', await readFile(payload));
  await dropRaw(a, `v${v}.torrent`, t.raw);
  return t;
}

const inDaemon = async (h: string): Promise<{ status: number }[]> =>
  (
    (await a.daemon.rpc.call('torrent-get', { ids: [h], fields: ['hashString', 'status'] })) as {
      torrents: { status: number }[];
    }
  ).torrents;

test('a newer applied version removes the older torrent and its data; the new one seeds', async () => {
  const v1 = await publish(1);
  await waitUri(a, URI, (r) => r.applied === 1, 60_000);
  const dl = a.daemon.downloadDir;
  assert.ok(existsSync(join(dl, v1.infoHash, 'app.bin')), 'v1 in its own directory');
  const v2 = await publish(2);
  await waitUri(a, URI, (r) => r.applied === 2, 60_000);
  await waitFor('v1 removed from the daemon', async () => (await inDaemon(v1.infoHash)).length === 0, 20_000);
  await waitFor('v1 data deleted', () => !existsSync(join(dl, v1.infoHash)), 10_000);
  await waitFor(
    'removal logged',
    () => a.logs.some((l) => l['msg'] === 'old version removed' && l['infoHash'] === v1.infoHash),
    5000,
  );
  assert.deepEqual(await readdir(join(a.stateDir, 'torrents')), [`${v2.infoHash}.torrent`]);
  assert.ok(existsSync(join(dl, v2.infoHash, 'app.bin')));
  await waitFor('v2 seeding', async () => (await inDaemon(v2.infoHash))[0]?.status === 6, 20_000);
});
