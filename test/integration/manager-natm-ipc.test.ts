/**
 * The manager's side of the natm IPC (docs/protocol/ipc.md), against a small
 * test-side server on a Unix socket and a real manager process: hello on connect,
 * relay for an accepted notification, verdict for a refused one, bad frames dropped
 * without closing, peers reaching Transmission through the manager's tracker, and
 * reconnect (hello + relay again) after natm goes away.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeNatm, type FakeNatm, type Msg } from './manager-harness/fake-natm.ts';
import { createNode, type TestNode } from './manager-harness/node.ts';
import { createNetns, type Netns } from './manager-harness/netns.ts';
import { makeAdmin, makePayload, sign, type Admin, type Signed } from './manager-harness/updates.ts';
import { tempDir, waitFor } from './manager-harness/util.ts';

const idOf = (raw: Uint8Array): string => createHash('sha256').update(raw).digest('hex');
let tmp: Awaited<ReturnType<typeof tempDir>>;
let ns: Netns;
let admin: Admin;
let a: TestNode;
let natm: FakeNatm;
let accepted: Signed;

const send = (m: object): void => natm.send(m);
const waitMsg = (pred: (m: Msg) => boolean, what: string, from = 0): Promise<Msg> =>
  waitFor(what, () => natm.got.slice(from).find(pred), 20_000, 50);

before(async () => {
  tmp = await tempDir('natm');
  ns = await createNetns();
  admin = await makeAdmin(tmp.path);
  const sock = join(tmp.path, 'natm.sock');
  natm = await startFakeNatm(sock);
  a = await createNode(tmp.path, 'a', admin.pubPath, ns, '10.1.0.1');
  await a.daemon.start();
  await a.writeConfig({ natmSocket: sock });
  await a.startManager();
});

after(async () => {
  await a?.shutdown();
  await natm?.close();
  await ns?.remove();
  await tmp?.remove();
});

test('hello on connect, with the daemon peer port', async () => {
  const hello = await waitMsg((m) => m.type === 'hello', 'hello');
  assert.equal(hello['btPort'], a.daemon.peerPort);
  assert.equal(typeof hello['agentVersion'], 'string');
  await waitMsg((m) => m.type === 'state', 'state');
});

test('an accepted notification is answered with relay (same id), then have', async () => {
  const payload = await makePayload(tmp.path, 'n1.bin', 64 * 1024);
  accepted = await sign(admin, payload, join(tmp.path, 'n1.torrent'), { uri: 'app:/natm', version: 3 });
  const from = natm.got.length;
  const id = idOf(accepted.raw);
  send({ type: 'notification', id, torrent: Buffer.from(accepted.raw).toString('base64'), from: 'node-x' });
  const relay = await waitMsg((m) => m.type === 'relay', 'relay', from);
  assert.equal(relay['uri'], 'app:/natm');
  assert.equal(relay['version'], 3);
  assert.equal(relay['infoHash'], accepted.infoHash);
  assert.equal(relay['torrent'], Buffer.from(accepted.raw).toString('base64'));
  assert.equal(relay['id'], id);
  const have = await waitMsg((m) => m.type === 'have', 'have', from);
  assert.deepEqual(have, { type: 'have', infoHash: accepted.infoHash, complete: false });
  assert.equal((await a.store())?.uris['app:/natm']?.highestAccepted, 3);
});

test('a refused notification gets a verdict with its code; bad frames are dropped, the link stays', async () => {
  const from = natm.got.length;
  natm.writeRaw('this is not json\n{"type":"no-such-type"}\n');
  const mallory = await makeAdmin(tmp.path, 'mallory');
  const payload = await makePayload(tmp.path, 'n2.bin', 16 * 1024);
  const bad = await sign(mallory, payload, join(tmp.path, 'n2.torrent'), { uri: 'app:/natm', version: 9 });
  send({
    type: 'notification',
    id: 'b'.repeat(64),
    torrent: Buffer.from(bad.raw).toString('base64'),
    from: 'node-y',
  });
  const v = await waitMsg((m) => m.type === 'verdict', 'verdict', from);
  assert.equal(v['accepted'], false);
  assert.equal(v['id'], idOf(bad.raw));
  assert.equal(v['code'], 'UNKNOWN_SIGNER');
  assert.equal(typeof v['reason'], 'string');
  // The older version arriving through natm: ROLLBACK.
  const old = await sign(admin, payload, join(tmp.path, 'n3.torrent'), { uri: 'app:/natm', version: 2 });
  send({
    type: 'notification',
    id: idOf(old.raw),
    torrent: Buffer.from(old.raw).toString('base64'),
    from: 'node-z',
  });
  const v2 = await waitMsg((m) => m.type === 'verdict' && m['code'] === 'ROLLBACK', 'rollback verdict', from);
  assert.match(String(v2['reason']), /below the highest accepted version 3/);
  assert.equal((await a.store())?.refusals[0]?.source, 'natm');
});

test('peers from natm reach transmission-daemon through the manager tracker', async () => {
  send({
    type: 'peers',
    infoHash: accepted.infoHash,
    peers: [
      { ip: '10.1.0.3', port: 40001 },
      { ip: '10.1.0.4', port: 40002 },
    ],
  });
  await waitFor(
    'announce with 2 peers',
    async () => {
      const r = await a.daemon.rpc.call<{
        torrents: { trackerStats: { lastAnnouncePeerCount: number }[] }[];
      }>('torrent-get', { ids: [accepted.infoHash], fields: ['trackerStats'] });
      return r.torrents[0]?.trackerStats[0]?.lastAnnouncePeerCount === 2;
    },
    20_000,
  );
});

test('after natm restarts, the manager reconnects: hello and relay of the current torrent', async () => {
  const from = natm.got.length;
  natm.link()!.destroy();
  await waitMsg((m) => m.type === 'hello', 'hello again', from);
  const relay = await waitMsg((m) => m.type === 'relay', 'relay again', from);
  assert.equal(relay['infoHash'], accepted.infoHash);
  assert.deepEqual(Object.keys(relay).sort(), ['id', 'infoHash', 'torrent', 'type', 'uri', 'version']);
  const have = await waitMsg((m) => m.type === 'have', 'have again', from);
  assert.equal(have['infoHash'], accepted.infoHash);
  assert.equal(
    relay['torrent'],
    Buffer.from(await readFile(join(tmp.path, 'n1.torrent'))).toString('base64'),
  );
});
