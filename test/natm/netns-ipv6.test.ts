/**
 * IPv6 in network namespaces, ULA addresses only (issue 19 item 5; lab: netns-lab.ts
 * `upDualStack`): a dual-stack rendezvous, an IPv4-only public node (n1), an IPv6-only
 * public node (n7) and an IPv6-only LAN (n6, n6b) behind a stateful IPv6 firewall, all real
 * natm processes, enrolled (certificate sessions, open mode: every packet signed, return
 * routability before admission). The LAN neighbours talk directly over IPv6, n7 and n6
 * open the firewall by punching, n1 and n6 share no family and use the relay; a
 * notification published at the IPv4-only node reaches the IPv6-only ones' managers.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { enrolledDir } from '../membership/enrolled-dir.ts';
import { NetnsLab } from './netns-lab.ts';
import { Procs, waitFor } from './procs.ts';
import { publish, testManager, type TestManager } from './test-manager.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const lab = new NetnsLab(`p2p6${process.pid % 10000}`);
const procs = await new Procs().init();
const NODES = ['n1', 'n7', 'n6', 'n6b'] as const;
const ids: Record<string, string> = {};
const managers: Record<string, TestManager> = {};

type Stats = { external?: { address: string }; peers: { id: string; path: string | null }[] };
async function stats(name: string): Promise<Stats> {
  const [code, out] = await procs.run(
    process.execPath,
    [BIN, 'natm-stats', '--socket', join(procs.dir, `${name}-stats.sock`)],
    10_000,
  );
  assert.equal(code, 0, out);
  return JSON.parse(out) as Stats;
}

before(async () => {
  lab.down();
  lab.upDualStack();
  await CaStore.init(join(procs.dir, 'ca'), { cluster: 'six' });
  const ca = await CaStore.open(join(procs.dir, 'ca'));
  const rdv = await procs.file('rdv.json', { id: 'rdv', listen: '[::]:3478', open: true, logLevel: 'warn' });
  procs.spawn('ip', [...lab.exec('rdv'), process.execPath, BIN, 'rendezvous', '--config', rdv]);
  for (const name of NODES) {
    const identityDir = join(procs.dir, name);
    ids[name] = (await enrolledDir(ca, identityDir, { cluster: 'six', owner: name })).nodeId;
    const v4 = name === 'n1';
    const cfg = await procs.file(`${name}.json`, {
      id: ids[name],
      listen: v4 ? '0.0.0.0:4500' : '[::]:4500',
      rendezvous: [v4 ? '198.18.0.10:3478' : '[fd00:18::10]:3478'],
      identityDir,
      ipcSocket: join(procs.dir, `${name}-ipc.sock`),
      statsSocket: join(procs.dir, `${name}-stats.sock`),
      keepaliveMs: 1000,
      upgradeIntervalMs: 2000,
      logLevel: 'warn',
    });
    procs.spawn('ip', [...lab.exec(name), process.execPath, BIN, 'natm', '--config', cfg]);
    managers[name] = testManager(join(procs.dir, `${name}-ipc.sock`));
  }
});

after(async () => {
  for (const m of Object.values(managers)) await m.client.stop();
  await procs.cleanup();
  lab.down();
});

const expect: Array<[string, string, string[]]> = [
  ['n6', 'n6b', ['direct']], // IPv6 LAN neighbours
  ['n6b', 'n6', ['direct']],
  ['n6', 'n7', ['direct']], // n7 is public: its own address
  ['n7', 'n6', ['direct', 'punched']], // through the firewall, opened by n6's punch
  ['n1', 'n6', ['relayed']], // no common family
  ['n6', 'n1', ['relayed']],
  ['n1', 'n7', ['relayed']],
];

test("external endpoints in each node's own family; paths: LAN and punched over IPv6, relayed across families", async () => {
  for (const [name, addr] of [
    ['n1', '198.18.0.11'],
    ['n7', 'fd00:18::17'],
    ['n6', 'fd00:6::6'],
    ['n6b', 'fd00:6::7'],
  ] as const)
    await waitFor(
      `${name}'s external endpoint`,
      async () => (await stats(name)).external?.address === addr || undefined,
      30_000,
    );
  let last = '';
  await waitFor(
    'the expected paths',
    async () => {
      const views: Record<string, Record<string, string | null>> = {};
      for (const n of NODES) views[n] = Object.fromEntries((await stats(n)).peers.map((p) => [p.id, p.path]));
      const wrong = expect.filter(([a, b, ok]) => !ok.includes(String(views[a]![ids[b]!])));
      last = wrong.map(([a, b]) => `${a}→${b}: ${views[a]![ids[b]!]}`).join(', ');
      return wrong.length === 0 || undefined;
    },
    60_000,
  ).catch((e: Error) => assert.fail(`${e.message}; wrong: ${last}`));
});

test('a notification published at the IPv4-only node reaches the IPv6-only LAN through the dual-stack rendezvous', async () => {
  await waitFor(
    'managers connected',
    () => Object.values(managers).every((m) => m.client.connected) || undefined,
    20_000,
  );
  const id = publish(managers['n1']!);
  const t0 = Date.now();
  for (const n of ['n7', 'n6', 'n6b'])
    await waitFor(`the notification at ${n}`, () => managers[n]!.got.has(id) || undefined, 60_000);
  const ms = Object.fromEntries(['n7', 'n6', 'n6b'].map((n) => [n, managers[n]!.got.get(id)! - t0]));
  console.log(`netns-ipv6: ${JSON.stringify({ from: 'n1 (IPv4 only)', ms })}`);
});
