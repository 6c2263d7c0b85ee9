/**
 * Real processes on loopback: one rendezvous and three natm processes started through the
 * CLI find each other and hold direct paths; the manager IPC socket answers hello; then
 * every UDP port gets random, truncated, oversized, replayed, wrong-key and bad-STUN
 * datagrams: nothing crashes and natm-stats shows the drops by reason.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, test } from 'node:test';
import { sodium } from '../../agent/lib/crypto/sodium.ts';
import { Keyring } from '../../agent/lib/wire/envelope/keyring.ts';
import { ClusterKeySealer } from '../../agent/lib/wire/envelope/sealer.ts';
import { encodePacket } from '../../agent/lib/wire/messages.ts';
import { freeUdpPort, Procs, waitFor } from './procs.ts';
import { KEY, OTHER_KEY } from './sim-world.ts';

const procs = await new Procs().init();
after(() => procs.cleanup());

type Stats = {
  counters: Record<string, number>;
  peers?: Array<{ id: string; path: string | null }>;
  listen: { port: number };
};
async function stats(sock: string): Promise<Stats> {
  const [code, out] = await procs.run(process.execPath, [
    new URL('../../bin/p2p-update', import.meta.url).pathname,
    'natm-stats',
    '--socket',
    sock,
  ]);
  assert.equal(code, 0, out);
  return JSON.parse(out) as Stats;
}

const rdvPort = await freeUdpPort();
const rdvStats = `${procs.dir}/rdv-stats.sock`;
const nodes = ['n1', 'n2', 'n3'];
const running = new Map<string, ReturnType<Procs['cli']>>();
const rdvConfig = (keys: string[]) => ({
  id: 'rdv1',
  listen: `127.0.0.1:${rdvPort}`,
  clusterKeys: keys,
  statsSocket: rdvStats,
  logLevel: 'warn',
});
const nodeConfig = (id: string, keys: string[]) => ({
  id,
  listen: '127.0.0.1:0',
  clusterKeys: keys,
  rendezvous: [`127.0.0.1:${rdvPort}`],
  statsSocket: `${procs.dir}/${id}-stats.sock`,
  ipcSocket: `${procs.dir}/${id}-ipc.sock`,
  keepaliveMs: 500,
  logLevel: 'warn',
});

test('a rendezvous and three natm processes on loopback find each other', async () => {
  const rdvCfg = await procs.file('rdv.json', {
    id: 'rdv1',
    listen: `127.0.0.1:${rdvPort}`,
    clusterKeys: [KEY],
    statsSocket: rdvStats,
    logLevel: 'warn',
  });
  procs.cli(['rendezvous', '--config', rdvCfg]);
  await waitFor('rendezvous stats', () => stats(rdvStats));
  for (const id of nodes) {
    const cfg = await procs.file(`${id}.json`, nodeConfig(id, [KEY]));
    running.set(id, procs.cli(['natm', '--config', cfg]));
  }
  for (const id of nodes) {
    await waitFor(
      `${id} to reach both others directly`,
      async () => {
        const s = await stats(`${procs.dir}/${id}-stats.sock`);
        const direct = (s.peers ?? []).filter((p) => p.path === 'direct').map((p) => p.id);
        return direct.length === 2 || undefined;
      },
      30_000,
    );
  }
  const [code, out] = await procs.run(process.execPath, [
    new URL('../../bin/p2p-update', import.meta.url).pathname,
    'natm-stats',
    '--config',
    `${procs.dir}/n1.json`,
  ]);
  assert.equal(code, 0, out);
  assert.equal(JSON.parse(out).id, 'n1', 'natm-stats --config finds the stats socket');
  const r = await stats(rdvStats);
  assert.equal((r as unknown as { sessions: number }).sessions, 3);
});

test('natm serves the manager IPC socket: hello → hello-ack, bad frames counted', async () => {
  const path = `${procs.dir}/n1-ipc.sock`;
  const c = net.connect(path);
  let got = '';
  c.setEncoding('utf8');
  c.on('data', (d) => (got += d));
  await new Promise((r) => c.once('connect', r));
  c.write('this is not json\n{"type":"nope"}\n');
  c.write(`${JSON.stringify({ type: 'hello', agentVersion: '0.1.0', btPort: 51413 })}\n`);
  const line = await waitFor('hello-ack', () => (got.includes('\n') ? got.split('\n')[0] : undefined));
  assert.deepEqual(JSON.parse(line), { type: 'hello-ack', nodeId: 'n1' });
  c.destroy();
  const s = await stats(`${procs.dir}/n1-stats.sock`);
  assert.equal(s.counters.ipc_bad_frames, 2);
  assert.equal(s.counters.ipc_rx_hello, 1);
});

test('garbage at every port: nothing crashes, drops are counted by reason', async () => {
  const s = await sodium();
  const good = new ClusterKeySealer(s, new Keyring(s, [KEY]));
  const wrong = new ClusterKeySealer(s, new Keyring(s, [OTHER_KEY]));
  const probe = (seq: number) =>
    encodePacket({
      sender: 'mallory',
      epoch: Date.now(),
      seq,
      body: { t: 'probe', token: 1, ack: true, echo: 0 },
    });
  const ports = [rdvPort];
  for (const id of nodes) ports.push((await stats(`${procs.dir}/${id}-stats.sock`)).listen.port);
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const send = (b: Uint8Array, port: number) =>
    new Promise<void>((r) => sock.send(b, port, '127.0.0.1', () => r()));
  let rnd = 1;
  const random = (n: number) =>
    Uint8Array.from({ length: n }, () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) & 255);
  for (const port of ports) {
    const sealed = good.seal(probe(1));
    const cases: Uint8Array[] = [
      ...Array.from({ length: 20 }, (_, i) => random(1 + i * 37)), // random
      sealed.subarray(0, 30), // truncated
      sealed.subarray(0, sealed.length - 1),
      random(2000), // oversized
      new Uint8Array(60000),
      sealed, // valid once, then replayed
      sealed,
      wrong.seal(probe(2)), // wrong cluster key
      good.seal(random(50)), // authentic but malformed plaintext
      Uint8Array.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...random(30)]), // STUN cookie, garbage
    ];
    for (const c of cases) await send(c, port);
  }
  sock.close();
  // Wait (≤ 10 s) until every process has counted the last case it was sent (bad STUN).
  const allPaths = [rdvStats, ...nodes.map((id) => `${procs.dir}/${id}-stats.sock`)];
  const counted = async (path: string) => ((await stats(path)).counters.drop_bad_stun ?? 0) >= 1;
  for (let i = 0; i < 50 && !(await Promise.all(allPaths.map(counted))).every(Boolean); i++)
    await new Promise((r) => setTimeout(r, 200));
  for (const [name, path] of [
    ['rdv1', rdvStats],
    ...nodes.map((id) => [id, `${procs.dir}/${id}-stats.sock`]),
  ]) {
    const c = (await stats(path!)).counters;
    const sum = (p: string) =>
      Object.entries(c)
        .filter(([k]) => k.startsWith(p))
        .reduce((a, [, v]) => a + v, 0);
    assert.ok((c.drop_replay ?? 0) >= 1, `${name}: replay counted`);
    assert.ok((c.drop_oversized ?? 0) >= 1, `${name}: oversized counted`);
    assert.ok((c.drop_unknown_key ?? 0) + (c.drop_auth_failed ?? 0) >= 1, `${name}: wrong key counted`);
    assert.ok((c.drop_malformed ?? 0) >= 1, `${name}: malformed counted`);
    assert.ok((c.drop_bad_stun ?? 0) >= 1, `${name}: bad STUN counted`);
    assert.ok(sum('drop_') >= 25, `${name}: ${JSON.stringify(c)}`);
    assert.equal(c.drop_handler_error ?? 0, 0, `${name}: no handler threw`);
  }
  // Still alive and still serving.
  const [code, out] = await procs.run('turnutils_stunclient', ['-p', String(rdvPort), '127.0.0.1']);
  assert.equal(code, 0, out);
  for (const id of nodes) {
    const st = await stats(`${procs.dir}/${id}-stats.sock`);
    assert.equal(st.peers?.filter((p) => p.path === 'direct').length, 2);
  }
});

test('cluster key rotation with SIGHUP, no restart: paths survive, the old key is refused', async () => {
  const rotate = async (keys: string[]) => {
    await procs.file('rdv1.json', rdvConfig(keys));
    for (const id of nodes) await procs.file(`${id}.json`, nodeConfig(id, keys));
    for (const c of running.values()) c.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
  };
  await rotate([KEY, OTHER_KEY]); // install everywhere
  await rotate([OTHER_KEY, KEY]); // use everywhere
  await rotate([OTHER_KEY]); // remove the old key
  const before = (await stats(`${procs.dir}/n1-stats.sock`)).counters.rx_probe ?? 0;
  await waitFor(
    'probes under the new key',
    async () =>
      ((await stats(`${procs.dir}/n1-stats.sock`)).counters.rx_probe ?? 0) > before + 4 || undefined,
  );
  for (const id of nodes) {
    const st = await stats(`${procs.dir}/${id}-stats.sock`);
    assert.equal(st.peers?.filter((p) => p.path === 'direct').length, 2, `${id} kept its paths`);
  }
  const s = await sodium();
  const old = new ClusterKeySealer(s, new Keyring(s, [KEY]));
  const port = (await stats(`${procs.dir}/n2-stats.sock`)).listen.port;
  const sock = dgram.createSocket('udp4');
  const pkt = old.seal(
    encodePacket({
      sender: 'n1',
      epoch: Date.now() * 2,
      seq: 1,
      body: { t: 'data', payload: Uint8Array.of(1) },
    }),
  );
  const prev = (await stats(`${procs.dir}/n2-stats.sock`)).counters.drop_unknown_key ?? 0;
  await new Promise<void>((r) => sock.send(pkt, port, '127.0.0.1', () => r()));
  sock.close();
  await waitFor(
    'old-key packet refused',
    async () =>
      ((await stats(`${procs.dir}/n2-stats.sock`)).counters.drop_unknown_key ?? 0) > prev || undefined,
  );
  for (const c of running.values()) assert.equal(c.exitCode, null, 'still running');
});
