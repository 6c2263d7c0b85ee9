/**
 * An inline payload on a real node (transmission-daemon, manager, deploy executor): the
 * node is handed only the torrent-file++ and has no peer at all, yet it places the
 * payload from the file, the daemon checks and seeds it, and the executor deploys it. The
 * same file without --inline would wait for a peer that never comes.
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
let node: TestNode;
let ns: Netns;

before(async () => {
  tmp = await tempDir('inline');
  ns = await createNetns();
  admin = await makeAdmin(tmp.path);
  node = await createNode(tmp.path, 'solo', admin.pubPath, ns, '10.1.0.1');
  await node.daemon.start();
  await node.writeConfig({ peers: [] });
  await node.startManager();
});

after(async () => {
  await node?.shutdown();
  await ns?.remove();
  await tmp?.remove();
});

test('a node with no peer deploys a script that came inline', { timeout: 90_000 }, async () => {
  const script = await makePayload(tmp.path, 'fix.sh', Buffer.from('#!/bin/sh\necho fixed\n'));
  const t = await sign(admin, script, join(tmp.path, 'fix.torrent'), {
    uri: 'app:/fix',
    version: 1,
    inline: true,
  });
  const started = Date.now();
  await run(process.execPath, [BIN, 'publish', t.path, '--config', node.configPath, '--wait', '30']);
  const s = await waitFor(
    'applied',
    async () => {
      const r = (await node.store())?.uris['app:/fix'];
      assert.notEqual(r?.current?.state, 'failed', r?.current?.lastError ?? '');
      return r?.applied === 1 ? r : null;
    },
    60_000,
    100,
  );
  console.log(`inline script: publish → applied in ${Date.now() - started} ms`);
  assert.equal(s.current?.deployAttempts, 1);
  assert.deepEqual(await readFile(join(node.markerDir, 'payload')), await readFile(script));
  assert.ok(node.logs.some((l) => l['msg'] === 'local payload placed'));
});
