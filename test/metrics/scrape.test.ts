/**
 * Real processes on loopback: a rendezvous and a natm started through the CLI with
 * `metrics` configured serve /metrics over HTTP; the scrape parses, shows the session,
 * the peer, the rendezvous contact, and the junk datagrams we send as drops by reason —
 * the same numbers `natm-stats` prints (one source).
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, test } from 'node:test';
import { freeUdpPort, Procs, waitFor } from '../natm/procs.ts';
import { KEY } from '../natm/sim-world.ts';
import { parseExposition, sample } from './exposition.ts';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;
const procs = await new Procs().init();
after(() => procs.cleanup());

async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function scrape(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  return parseExposition(await res.text());
}

async function statsCounters(sock: string): Promise<Record<string, number>> {
  const [code, out] = await procs.run(process.execPath, [BIN, 'natm-stats', '--socket', sock]);
  assert.equal(code, 0, out);
  return (JSON.parse(out) as { counters: Record<string, number> }).counters;
}

test('rendezvous and natm processes serve /metrics; the scrape parses and matches natm-stats', async () => {
  const [rdvPort, rdvMetrics, n1Metrics, n2Metrics] = [
    await freeUdpPort(),
    await freeTcpPort(),
    await freeTcpPort(),
    await freeTcpPort(),
  ];
  const rdvStats = `${procs.dir}/rdv-stats.sock`;
  const rdvCfg = await procs.file('rdv.json', {
    id: 'rdv1',
    listen: `127.0.0.1:${rdvPort}`,
    clusterKeys: [KEY],
    statsSocket: rdvStats,
    metrics: { listen: `127.0.0.1:${rdvMetrics}` },
    logLevel: 'warn',
  });
  procs.cli(['rendezvous', '--config', rdvCfg]);
  for (const [id, port] of [
    ['n1', n1Metrics],
    ['n2', n2Metrics],
  ] as const) {
    const cfg = await procs.file(`${id}.json`, {
      id,
      listen: '127.0.0.1:0',
      clusterKeys: [KEY],
      rendezvous: [`127.0.0.1:${rdvPort}`],
      statsSocket: `${procs.dir}/${id}-stats.sock`,
      keepaliveMs: 500,
      metrics: { listen: `127.0.0.1:${port}` },
      logLevel: 'warn',
    });
    procs.cli(['natm', '--config', cfg]);
  }
  const rdvEp = `127.0.0.1:${rdvPort}`;
  const natm = await waitFor('n1 to reach n2 directly', async () => {
    const m = await scrape(n1Metrics);
    return sample(m, 'p2pu_natm_peers', { path: 'direct' }) === 1 ? m : undefined;
  });
  assert.equal(sample(natm, 'p2pu_natm_rendezvous_up', { rendezvous: rdvEp }), 1);
  assert.ok(sample(natm, 'p2pu_natm_rendezvous_last_contact_timestamp_seconds') > Date.now() / 1000 - 60);
  assert.ok(sample(natm, 'p2pu_natm_packets_sent_total', { type: 'register' }) >= 1);
  assert.equal(natm.get('p2pu_natm_packets_dropped_total')!.type, 'counter');

  // Junk at the rendezvous: dropped, counted, and the same count in natm-stats and /metrics.
  const junk = dgram.createSocket('udp4');
  for (let i = 0; i < 25; i++) junk.send(Buffer.alloc(200, 0xab), rdvPort, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 300));
  junk.close();
  const rdv = await waitFor('the junk counted', async () => {
    const m = await scrape(rdvMetrics);
    return sample(m, 'p2pu_rendezvous_packets_dropped_total', { reason: 'bad_magic' }) >= 25 ? m : undefined;
  });
  assert.equal(sample(rdv, 'p2pu_rendezvous_sessions'), 2);
  assert.equal(sample(rdv, 'p2pu_rendezvous_namespaces'), 1);
  assert.ok(sample(rdv, 'p2pu_rendezvous_registrations_total') >= 2);
  const counters = await statsCounters(rdvStats);
  const now = await scrape(rdvMetrics);
  assert.equal(
    sample(now, 'p2pu_rendezvous_packets_dropped_total', { reason: 'bad_magic' }),
    counters['drop_bad_magic'],
  );
  assert.equal((await fetch(`http://127.0.0.1:${rdvMetrics}/other`)).status, 404);
});
