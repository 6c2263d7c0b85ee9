/**
 * Dual stack with real processes on loopback (issue 19 item 5): a rendezvous on [::]
 * (IPv4 and IPv6 on one socket), an IPv4-only natm (127.0.0.1) and an IPv6-only natm
 * ([::1]), both enrolled (certificate sessions, open mode). Each learns its external
 * endpoint in its own family, they find each other through the rendezvous, and a
 * notification published at either reaches the other's manager (over the rendezvous'
 * relay: they share no family). Attack: a bare 20-byte STUN request over IPv6 gets no
 * answer (its 44-byte answer would amplify), counted.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import stun from 'stun';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { bindingRequest } from '../../agent/lib/wire/stun-codec.ts';
import { enrolledDir } from '../membership/enrolled-dir.ts';
import { freeUdpPort, Procs, waitFor } from './procs.ts';
import { publish, testManager, type TestManager } from './test-manager.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const procs = await new Procs().init();
after(async () => {
  for (const m of [v4, v6]) await m?.client.stop();
  await procs.cleanup();
});

type Stats = {
  external?: { address: string };
  peers?: { id: string; path: string | null }[];
  counters: Record<string, number>;
};
async function stats(sock: string): Promise<Stats> {
  const [code, out] = await procs.run(process.execPath, [BIN, 'natm-stats', '--socket', sock]);
  assert.equal(code, 0, out);
  return JSON.parse(out) as Stats;
}

let rdvPort = 0;
const ids: string[] = [];
let v4: TestManager;
let v6: TestManager;

before(async () => {
  await CaStore.init(join(procs.dir, 'ca'), { cluster: 'dual' });
  const ca = await CaStore.open(join(procs.dir, 'ca'));
  rdvPort = await freeUdpPort();
  const rdv = await procs.file('rdv.json', {
    id: 'rdv',
    listen: `[::]:${rdvPort}`,
    open: true,
    statsSocket: join(procs.dir, 'rdv-stats.sock'),
    logLevel: 'warn',
  });
  procs.cli(['rendezvous', '--config', rdv]);
  for (const [name, host] of [
    ['v4', '127.0.0.1'],
    ['v6', '[::1]'],
  ] as const) {
    const identityDir = join(procs.dir, name);
    const keys = await enrolledDir(ca, identityDir, { cluster: 'dual', owner: name });
    ids.push(keys.nodeId);
    const cfg = await procs.file(`${name}.json`, {
      id: keys.nodeId,
      listen: `${host}:0`,
      rendezvous: [`${host}:${rdvPort}`],
      identityDir,
      ipcSocket: join(procs.dir, `${name}-ipc.sock`),
      statsSocket: join(procs.dir, `${name}-stats.sock`),
      keepaliveMs: 1000,
      logLevel: 'warn',
    });
    procs.cli(['natm', '--config', cfg]);
  }
  v4 = testManager(join(procs.dir, 'v4-ipc.sock'));
  v6 = testManager(join(procs.dir, 'v6-ipc.sock'));
});

test('each node learns its external endpoint in its own family and sees the other', async () => {
  for (const [name, family, other] of [
    ['v4', '127.0.0.1', ids[1]],
    ['v6', '::1', ids[0]],
  ] as const) {
    const s = await waitFor(
      `${name}: external endpoint and the other node`,
      async () => {
        const s = await stats(join(procs.dir, `${name}-stats.sock`));
        return s.external && s.peers?.some((p) => p.id === other && p.path !== null) ? s : undefined;
      },
      30_000,
    );
    assert.equal(s.external!.address, family, name);
  }
});

test('a notification published at the IPv4-only node reaches the IPv6-only one, and back', async () => {
  await waitFor('both managers connected', () => v4.client.connected && v6.client.connected, 20_000);
  for (const [from, to, what] of [
    [v4, v6, 'v4 → v6'],
    [v6, v4, 'v6 → v4'],
  ] as const) {
    const id = publish(from);
    const t0 = Date.now();
    await waitFor(`the notification ${what}`, () => to.got.has(id) || undefined, 60_000);
    console.log(`dual-stack-udp: ${JSON.stringify({ notification: what, ms: Date.now() - t0 })}`);
  }
});

test("attack: a bare STUN request over IPv6 gets no answer (no amplification); natm's 44-byte one does", async () => {
  const sock = dgram.createSocket('udp6');
  await new Promise<void>((r) => sock.bind(0, '::1', () => r()));
  const answers: number[] = [];
  sock.on('message', (m) => answers.push(m.length));
  try {
    const bare = stun.createMessage(stun.constants.STUN_BINDING_REQUEST).toBuffer();
    assert.equal(bare.length, 20);
    for (let k = 0; k < 3; k++) sock.send(bare, rdvPort, '::1');
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(answers, [], 'no answer to a 20-byte request');
    const r = await stats(join(procs.dir, 'rdv-stats.sock'));
    assert.ok((r.counters['drop_stun_small_v6'] ?? 0) >= 3, JSON.stringify(r.counters));
    const req = bindingRequest().bytes;
    sock.send(req, rdvPort, '::1');
    await waitFor("an answer to natm's request", () => answers.length > 0 || undefined, 5000);
    assert.ok(answers[0]! <= req.length, `answer ${answers[0]} bytes ≤ request ${req.length}`);
  } finally {
    sock.close();
  }
});
