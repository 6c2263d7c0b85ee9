/**
 * Three real natm processes (`p2p-update natm`) and a rendezvous on loopback UDP, each node
 * enrolled (identityDir): gossip runs over certificate sessions, the nodes fetch the CA's
 * revocation list from an enrollment server URL at start, and a revocation notice the
 * admin drops into ONE node's notices dir reaches the other node by gossip, which cuts the
 * revoked node off. Read through each process's stats socket.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { statePaths } from '../../agent/lib/enrollment/node-keys.ts';
import { readStats } from '../../agent/lib/daemon/stats-server.ts';
import { freeUdpPort, Procs, waitFor } from '../natm/procs.ts';
import { KEY } from '../natm/sim-world.ts';
import { enrolledDir } from './enrolled-dir.ts';

interface Stats {
  members?: { id: string; status: string; self: boolean }[];
  secure?: { revoked: string[]; crlSeq: number; overlay: Record<string, number> };
}

const procs = new Procs();
let ca: CaStore;
let crlServer: http.Server;
let crlHits = 0;
const names = ['a', 'b', 'c'];
const ids: string[] = [];
const stats = async (name: string) => (await readStats(join(procs.dir, `${name}-stats.sock`), 2000)) as Stats;
const alive = (s: Stats) => (s.members ?? []).filter((m) => !m.self && m.status === 'alive').map((m) => m.id);

before(async () => {
  await procs.init();
  await CaStore.init(join(procs.dir, 'ca'), { cluster: 'loop' });
  ca = await CaStore.open(join(procs.dir, 'ca'));
  crlServer = http.createServer((req, res) => {
    crlHits++;
    if (req.url !== '/crl') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(ca.crl));
  });
  await new Promise<void>((r) => crlServer.listen(0, '127.0.0.1', r));
});

after(async () => {
  await procs.cleanup();
  await new Promise<void>((r) => crlServer.close(() => r()));
});

test('a notice dropped at one node cuts the revoked node off at the others, over real UDP', async (t) => {
  const rdvPort = await freeUdpPort();
  const rdvCfg = await procs.file('rdv.json', {
    id: 'rdv1',
    listen: `127.0.0.1:${rdvPort}`,
    clusterKeys: [KEY],
    logLevel: 'warn',
  });
  procs.cli(['rendezvous', '--config', rdvCfg]);
  const enroll = `http://127.0.0.1:${(crlServer.address() as { port: number }).port}`;
  for (const name of names) {
    const dir = join(procs.dir, name);
    const keys = await enrolledDir(ca, dir, { cluster: 'loop', owner: name });
    ids.push(keys.nodeId);
    const cfg = await procs.file(`${name}.json`, {
      id: keys.nodeId,
      listen: '127.0.0.1:0',
      clusterKeys: [KEY],
      rendezvous: [`127.0.0.1:${rdvPort}`],
      statsSocket: join(procs.dir, `${name}-stats.sock`),
      identityDir: dir,
      enrollServer: enroll,
      noticeScanMs: 200,
      keepaliveMs: 500,
      logLevel: 'warn',
    });
    procs.cli(['natm', '--config', cfg]);
  }
  const [a, , c] = ids as [string, string, string];
  for (const name of names)
    await waitFor(
      `${name} to list the two others as alive members`,
      async () => alive(await stats(name)).length === 2 || undefined,
      30_000,
    );
  // A peer is listed alive once its handshake proved its certificate, which can come
  // before the first gossip message through the session: wait for that message too.
  const sb = await waitFor(
    'b to receive gossip through a certificate session',
    async () => {
      const s = await stats('b');
      return (s.secure?.overlay['delivered'] ?? 0) > 0 ? s : undefined;
    },
    30_000,
  );
  assert.deepEqual(alive(sb).sort(), [a, c].sort());
  await waitFor(
    'the CRL fetched and saved',
    () => existsSync(statePaths(join(procs.dir, 'b')).crl) || undefined,
  );
  assert.ok(crlHits >= 3, 'each node fetched GET /crl');

  const { notice } = await ca.revoke(c);
  await writeFile(join(procs.dir, 'a', 'notices', 'dropped-by-admin.revoke'), notice);
  const t0 = Date.now();
  await waitFor(
    'b to learn the revocation by gossip and cut c off',
    async () => {
      const s = await stats('b');
      return (s.secure?.revoked.includes(c) && !alive(s).includes(c)) || undefined;
    },
    30_000, // seconds when idle (the diagnostic says how many); generous for a loaded CI box
  );
  const took = Date.now() - t0;
  t.diagnostic(`b cut c off ${took} ms after the notice file was written at a`);
  // b keeps the notice it heard in its notices dir (written after the cut-off, atomically).
  await waitFor(
    'b to keep the notice it heard',
    () => existsSync(join(procs.dir, 'b', 'notices', `${c}.revoke`)) || undefined,
  );
  const sa = await stats('a');
  assert.ok(sa.secure?.revoked.includes(c) && !alive(sa).includes(c));
  assert.deepEqual(alive(await stats('b')), [a], `b goes on with a (cut-off took ${took} ms)`);
});
