/**
 * Real NATs (Linux masquerade, fully-random masquerade) in network namespaces, real natm
 * and rendezvous processes: LAN neighbours talk directly, cone NATs punch, the symmetric
 * NAT falls back to the relay, and node 4 (no way out) is bridged by node 3.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NetnsLab } from './netns-lab.ts';
import { Procs, waitFor } from './procs.ts';
import { KEY } from './sim-world.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const lab = new NetnsLab(`p2pn${process.pid % 10000}`);
const procs = await new Procs().init();
const NODES = ['n1', 'n2', 'n2b', 'n3', 'n4', 'n5'];

type View = { id: string; path: string | null };
async function peers(id: string): Promise<Record<string, string | null>> {
  const [code, out] = await procs.run(
    process.execPath,
    [BIN, 'natm-stats', '--socket', `${procs.dir}/${id}.sock`],
    10_000,
  );
  assert.equal(code, 0, out);
  const s = JSON.parse(out) as { peers: View[] };
  return Object.fromEntries(s.peers.map((p) => [p.id, p.path]));
}

before(async () => {
  lab.down();
  lab.up();
  const rdv = await procs.file('rdv.json', {
    id: 'rdv',
    listen: '198.18.0.10:3478',
    clusterKeys: [KEY],
    logLevel: 'warn',
  });
  procs.spawn('ip', [...lab.exec('rdv'), process.execPath, BIN, 'rendezvous', '--config', rdv]);
  for (const id of NODES) {
    const cfg = await procs.file(`${id}.json`, {
      id,
      listen: '0.0.0.0:4500',
      clusterKeys: [KEY],
      rendezvous: ['198.18.0.10:3478'],
      statsSocket: `${procs.dir}/${id}.sock`,
      keepaliveMs: 1000,
      upgradeIntervalMs: 2000,
      logLevel: 'warn',
      ...(id === 'n3' ? { bridge: true } : {}),
      ...(id === 'n4' ? { bridgeVia: '10.2.0.3:4500' } : {}),
    });
    procs.spawn('ip', [...lab.exec(id), process.execPath, BIN, 'natm', '--config', cfg]);
  }
});

after(async () => {
  await procs.cleanup();
  lab.down();
});

const expect: Array<[string, string, string]> = [
  ['n2', 'n2b', 'direct'], // same NAT: LAN addresses, no hairpin
  ['n2b', 'n2', 'direct'],
  ['n2', 'n3', 'punched'], // two masquerade (port-restricted) NATs
  ['n3', 'n2', 'punched'],
  ['n1', 'n2', 'punched'], // public → NATed: n2's mapping
  ['n2', 'n1', 'direct'],
  ['n2', 'n5', 'relayed'], // port-restricted vs symmetric: no punch
  ['n5', 'n3', 'relayed'],
  ['n1', 'n5', 'punched'], // symmetric vs public works
  ['n5', 'n1', 'direct'],
  ['n4', 'n1', 'bridged'], // node 4 through bridge node 3
  ['n1', 'n4', 'bridged'],
  ['n4', 'n3', 'direct'],
];

test('real NATs: LAN direct, cone punched, symmetric relayed, node 4 bridged', async () => {
  const got = new Map<string, string | null>();
  await waitFor(
    'every path to settle',
    async () => {
      for (const [a, b, want] of expect) {
        const v = (await peers(a))[b] ?? null;
        got.set(`${a}→${b}`, v);
        if (v !== want) return undefined;
      }
      return true;
    },
    60_000,
  ).catch(() => undefined);
  const table = expect.map(([a, b, want]) => `${a}→${b}: ${got.get(`${a}→${b}`)} (expected ${want})`);
  console.log(table.join('\n'));
  for (const [a, b, want] of expect) assert.equal(got.get(`${a}→${b}`), want, `${a}→${b}`);
});
