/**
 * A new root reaches every node without SSH (docs/adr/0003-root-of-trust.md §Spreading):
 * real processes on loopback — a rendezvous, four natm processes, and a real
 * `p2p-update manager` on n1–n3 installed with root version 1. The admin publishes the
 * chain with root version 2 at n1 (`p2p-update publish FILE.root`); each manager verifies
 * it, persists it and relays it, and n2 and n3 end up trusting version 2. Then n4's
 * (compromised) manager relays a rotation signed only by keys it made up: n2 and n3 refuse
 * it, record why, and keep version 2.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readChainFile } from '../../agent/lib/trust/chain-file.ts';
import { ROOT_URI } from '../../agent/lib/trust/root-uri.ts';
import { makeAdmin } from '../helpers/fixtures.ts';
import { chainOf, DAY_S, makeRoot, type RootSpec } from '../helpers/roots.ts';
import { freeUdpPort, Procs, waitFor } from '../natm/procs.ts';
import { KEY } from '../natm/sim-world.ts';

const procs = await new Procs().init();
let rogue: net.Socket | undefined;
after(async () => {
  rogue?.destroy();
  await procs.cleanup();
});

const ids = ['n1', 'n2', 'n3', 'n4'];
const LONG = 45_000; // gossip, or else one anti-entropy round (30 s)
const stateDir = (id: string) => join(procs.dir, id, 'state');

async function trustedVersion(id: string): Promise<number> {
  const path = join(stateDir(id), 'root.chain');
  if (!existsSync(path)) return 1;
  const { roots } = await readChainFile(path);
  return roots[roots.length - 1]!.body.version;
}

test('a root chain published at one node is verified, kept and relayed by every manager; a forged one is refused', async () => {
  const k = await Promise.all(Array.from({ length: 6 }, () => makeAdmin()));
  const nowS = Math.floor(Date.now() / 1000);
  const spec1: RootSpec = {
    version: 1,
    rootKeys: [k[0]!, k[1]!],
    rootThreshold: 2,
    updateKeys: [k[2]!, k[3]!],
    threshold: 2,
    expires: nowS + 30 * DAY_S,
  };
  const spec2: RootSpec = { ...spec1, version: 2, rootKeys: [k[4]!], rootThreshold: 1 };
  const v1 = await makeRoot(spec1, [k[0]!, k[1]!]);
  const v2 = await makeRoot(spec2, [k[0]!, k[1]!, k[4]!]);
  const anchor = join(procs.dir, 'anchor.root');
  writeFileSync(anchor, chainOf(v1));
  writeFileSync(join(procs.dir, 'v2.root'), chainOf(v1, v2));

  const rdvPort = await freeUdpPort();
  const rdv = await procs.file('rdv.json', {
    id: 'rdv1',
    listen: `127.0.0.1:${rdvPort}`,
    clusterKeys: [KEY],
    logLevel: 'warn',
  });
  procs.cli(['rendezvous', '--config', rdv]);
  for (const id of ids) {
    const ipc = join(procs.dir, `${id}-ipc.sock`);
    const natm = await procs.file(`${id}.json`, {
      id,
      listen: '127.0.0.1:0',
      clusterKeys: [KEY],
      rendezvous: [`127.0.0.1:${rdvPort}`],
      statsSocket: join(procs.dir, `${id}-stats.sock`),
      ipcSocket: ipc,
      keepaliveMs: 500,
      logLevel: 'warn',
    });
    procs.cli(['natm', '--config', natm]);
    if (id === 'n4') continue;
    const mgr = await procs.file(`${id}-manager.json`, {
      root: anchor,
      stateDir: stateDir(id),
      inboxDir: join(procs.dir, id, 'inbox'),
      // No daemon behind it: a root chain never reaches Transmission.
      transmission: { url: 'http://127.0.0.1:1/transmission/rpc', downloadDir: join(procs.dir, id, 'dl') },
      tracker: { port: 0 },
      natmSocket: ipc,
      logLevel: 'info',
    });
    procs.cli(['manager', '--config', mgr]);
  }
  // n4's manager is compromised: it speaks the IPC itself and relays whatever it likes.
  rogue = await waitFor('n4 IPC socket', () => {
    const s = net.connect(join(procs.dir, 'n4-ipc.sock'));
    return new Promise<net.Socket | undefined>((r) =>
      s.once('connect', () => r(s)).once('error', () => r(undefined)),
    );
  });
  rogue.on('error', () => undefined);
  rogue.write(`${JSON.stringify({ type: 'hello', agentVersion: 'rogue', btPort: 0 })}\n`);
  for (const id of ids)
    await waitFor(
      `${id} to see 4 alive members`,
      async () => {
        const [code, out] = await procs.run(process.execPath, [
          new URL('../../bin/p2p-update', import.meta.url).pathname,
          ...['members', '--json', '--socket', join(procs.dir, `${id}-stats.sock`)],
        ]);
        const ms = code === 0 ? (JSON.parse(out) as { status: string }[]) : [];
        return ms.filter((m) => m.status === 'alive').length === 4 || undefined;
      },
      LONG,
    );

  const [code, out] = await procs.run(process.execPath, [
    new URL('../../bin/p2p-update', import.meta.url).pathname,
    ...[
      'publish',
      join(procs.dir, 'v2.root'),
      '--config',
      join(procs.dir, 'n1-manager.json'),
      '--wait',
      '20',
    ],
  ]);
  assert.equal(code, 0, out);
  assert.match(out, /accepted: root version 2 is trusted/);
  for (const id of ['n2', 'n3'])
    await waitFor(
      `${id} to trust root version 2`,
      async () => (await trustedVersion(id)) === 2 || undefined,
      LONG,
    );

  // The forged rotation: version 3 signed only by a key n4 made up (not version 2's root key).
  const forged = chainOf(v2, await makeRoot({ ...spec2, version: 3, rootKeys: [k[5]!] }, [k[5]!]));
  const id = createHash('sha256').update(forged).digest('hex');
  const relay = { type: 'relay', id, uri: ROOT_URI, version: 3, infoHash: '00'.repeat(20) };
  rogue.write(`${JSON.stringify({ ...relay, torrent: Buffer.from(forged).toString('base64') })}\n`);
  for (const n of ['n2', 'n3'])
    await waitFor(
      `${n} to refuse the forged root`,
      async () => {
        const store = JSON.parse(await readFile(join(stateDir(n), 'store.json'), 'utf8')) as {
          refusals: { code: string; uri?: string }[];
        };
        return store.refusals.some((r) => r.uri === ROOT_URI && r.code === 'THRESHOLD') || undefined;
      },
      LONG,
    );
  for (const n of ['n1', 'n2', 'n3']) assert.equal(await trustedVersion(n), 2, n);
});
