/**
 * STUN interop on real UDP (loopback): coturn's turnutils_stunclient gets the right
 * XOR-MAPPED-ADDRESS from our rendezvous, and our STUN client (inside natm, on natm's own
 * socket) gets its mapping from coturn's real `turnserver --stun-only`.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { systemClock } from '../../agent/lib/common/clock.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { startNatm } from '../../agent/natm/main.ts';
import type { Endpoint } from '../../agent/lib/net/datagram.ts';
import { UdpSocket } from '../../agent/lib/net/udp-socket.ts';
import { rendezvousConfig } from '../../agent/rendezvous/config.ts';
import { RendezvousServer } from '../../agent/rendezvous/server.ts';
import { KEY } from './sim-world.ts';
import { freeUdpPort, Procs, waitFor } from './procs.ts';

const procs = await new Procs().init();
after(() => procs.cleanup());

test('turnutils_stunclient gets its exact source address from our rendezvous', async () => {
  const socket = await UdpSocket.bind({ address: '127.0.0.1', port: 0 }, silentLogger());
  const sources: Endpoint[] = [];
  const realOn = socket.onMessage.bind(socket);
  socket.onMessage = (h) => realOn((d, from) => (sources.push(from), h(d, from)));
  const cfg = rendezvousConfig({ id: 'rdv1', listen: '127.0.0.1:0', clusterKeys: [KEY] });
  const server = new RendezvousServer(
    { socket, sealer: null, clock: systemClock, logger: silentLogger() },
    cfg,
  );
  server.start();
  try {
    const [code, out] = await procs.run('turnutils_stunclient', [
      '-p',
      String(socket.local().port),
      '127.0.0.1',
    ]);
    assert.equal(code, 0, out);
    const m = /UDP reflexive addr: ([\d.]+):(\d+)/.exec(out);
    assert.ok(m, `no reflexive address in: ${out}`);
    assert.ok(sources.length >= 1);
    assert.deepEqual({ address: m[1], port: Number(m[2]) }, sources[0]);
    assert.ok(server.counters.get('stun_requests') >= 1);
  } finally {
    await server.stop();
  }
});

test('the rendezvous CLI (--listen, STUN only) answers turnutils_stunclient', async () => {
  const port = await freeUdpPort();
  const rdv = procs.cli(['rendezvous', '--listen', `127.0.0.1:${port}`]);
  await waitFor('rendezvous to listen', () => rdv.out().includes('"msg":"rendezvous started"'));
  const [code, out] = await procs.run('turnutils_stunclient', ['-p', String(port), '127.0.0.1']);
  assert.equal(code, 0, out);
  assert.match(out, /UDP reflexive addr: 127\.0\.0\.1:\d+/);
});

test('natm learns its mapping from coturn turnserver --stun-only on its own socket', async () => {
  const port = await freeUdpPort();
  const turn = procs.spawn('turnserver', [
    ...['-n', '--no-cli', '--stun-only', '--no-tls', '--no-dtls', '--simple-log'],
    ...['--listening-ip', '127.0.0.1', '--listening-port', String(port)],
    ...['--log-file', `${procs.dir}/turn.log`, '--pidfile', `${procs.dir}/turn.pid`],
  ]);
  await waitFor('turnserver to answer', async () => {
    const [code] = await procs.run('turnutils_stunclient', ['-p', String(port), '127.0.0.1'], 2000);
    return code === 0 || undefined;
  });
  const cfg = natmConfig({
    id: 'n1',
    listen: '127.0.0.1:0',
    clusterKeys: [KEY],
    rendezvous: ['127.0.0.1:9'], // nobody there: STUN from coturn must still work
    stunServers: [`127.0.0.1:${port}`],
    keepaliveMs: 300,
    logLevel: 'silent',
  });
  const natm = await startNatm(cfg);
  try {
    const stun = await waitFor('a STUN answer from coturn', () => {
      const s = natm.node.stats().stun as Record<string, Endpoint>;
      return s[`127.0.0.1:${port}`];
    });
    assert.deepEqual(stun, natm.socket.local(), 'mapping = natm socket (no NAT on loopback)');
    assert.ok(natm.node.counters.get('stun_responses') >= 1);
  } finally {
    await natm.stop();
    turn.kill('SIGTERM');
  }
});
