/**
 * Two real nodes on loopback: node A holds the payload (published with --payload) and
 * seeds it; node B gets only the torrent-file++, downloads from A through real
 * transmission-daemons (peers from each manager's own tracker), checks the payload
 * and runs the example deploy script, which writes a marker file. The torrent is private
 * (BEP 27), and both daemons hold it so.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { BIN, createNode, type TestNode } from './manager-harness/node.ts';
import { createNetns, type Netns } from './manager-harness/netns.ts';
import { makeAdmin, makePayload, sign, type Admin } from './manager-harness/updates.ts';
import { tempDir, waitFor } from './manager-harness/util.ts';

const run = promisify(execFile);
let tmp: Awaited<ReturnType<typeof tempDir>>;
let admin: Admin;
let a: TestNode;
let b: TestNode;
let ns: Netns;

before(async () => {
  tmp = await tempDir('deliver');
  ns = await createNetns();
  admin = await makeAdmin(tmp.path);
  a = await createNode(tmp.path, 'a', admin.pubPath, ns, '10.1.0.1');
  b = await createNode(tmp.path, 'b', admin.pubPath, ns, '10.1.0.2');
  await Promise.all([a.daemon.start(), b.daemon.start()]);
  await a.writeConfig({ peers: [b.peer] });
  await b.writeConfig({ peers: [a.peer] });
  await Promise.all([a.startManager(), b.startManager()]);
});

after(async () => {
  await Promise.all([a?.shutdown(), b?.shutdown()]);
  await ns?.remove();
  await tmp?.remove();
});

test(
  'a published update is seeded by A, downloaded by B and deployed on both',
  { timeout: 120_000 },
  async () => {
    const payload = await makePayload(tmp.path, 'app-1.bin', 2 * 1024 * 1024);
    const t = await sign(admin, payload, join(tmp.path, 'app-1.torrent'), { uri: 'app:/demo', version: 1 });
    const pub = await run(process.execPath, [
      BIN,
      'publish',
      t.path,
      '--payload',
      payload,
      '--config',
      a.configPath,
      '--wait',
      '30',
    ]);
    assert.match(pub.stdout, /accepted/);
    // B learns of the update without the payload (as natm would hand it over).
    await run(process.execPath, [BIN, 'publish', t.path, '--config', b.configPath, '--wait', '30']);
    const sB = await waitFor(
      'B applied',
      async () => {
        const s = await b.store();
        const r = s?.uris['app:/demo'];
        assert.notEqual(r?.current?.state, 'failed', r?.current?.lastError ?? '');
        return r?.applied === 1 ? s : null;
      },
      100_000,
      500,
    );
    const rB = sB.uris['app:/demo']!;
    assert.equal(rB.highestAccepted, 1);
    assert.equal(rB.current?.state, 'applied');
    assert.equal(rB.current?.deployAttempts, 1);
    for (const s of ['verified', 'downloading', 'verifying-payload', 'deploying', 'applied'] as const)
      assert.ok(rB.current?.at[s], `B recorded a time for ${s}`);
    assert.equal(await readFile(join(b.markerDir, 'marker'), 'utf8'), 'app:/demo 1\n');
    assert.deepEqual(await readFile(join(b.markerDir, 'payload')), await readFile(payload));
    assert.equal((await readFile(join(b.markerDir, 'deploy.log'), 'utf8')).match(/^applied /gm)?.length, 1);
    // A seeded from its local payload (never downloaded) and deployed too.
    const rA = await waitFor(
      'A applied',
      async () => (await a.store())?.uris['app:/demo']?.applied === 1,
      20_000,
    );
    assert.ok(rA);
    const seeder = await a.daemon.rpc.call<{ torrents: { uploadedEver: number; isPrivate: boolean }[] }>(
      'torrent-get',
      { ids: [t.infoHash], fields: ['uploadedEver', 'isPrivate'] },
    );
    assert.ok(seeder.torrents[0]!.uploadedEver >= 2 * 1024 * 1024, 'A uploaded the payload to B');
    // BEP 27: the daemons hold it as private (no DHT/PEX/LPD; peers from the node tracker only).
    const leecher = await b.daemon.rpc.call<{ torrents: { isPrivate: boolean }[] }>('torrent-get', {
      ids: [t.infoHash],
      fields: ['isPrivate'],
    });
    assert.deepEqual([seeder.torrents[0]!.isPrivate, leecher.torrents[0]!.isPrivate], [true, true]);
    // status CLI shows it.
    const st = await run(process.execPath, [BIN, 'status', '--json', '--config', b.configPath]);
    const rows = JSON.parse(st.stdout) as {
      uris: { uri: string; applied: number; state: string; progress: number }[];
    };
    assert.deepEqual(
      rows.uris.map((r) => [r.uri, r.applied, r.state, r.progress]),
      [['app:/demo', 1, 'applied', 100]],
    );
    assert.ok(b.logs.some((l) => l['component'] === 'manager' && l['msg'] === 'deploy succeeded'));
  },
);
