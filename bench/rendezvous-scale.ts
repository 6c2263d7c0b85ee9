/**
 * Rendezvous load as the fleet grows (issue 19 item 6, simulation part): N natm nodes
 * (the real NatmNode and RendezvousServer on the in-memory network, fake clock) behind a mix
 * of NAT types join one rendezvous at once. Per N: join time to reachable (the node knows
 * its external endpoint and the rendezvous lists it; p50 / p99 / max of simulated ms),
 * then over a steady window: the rendezvous's egress (bytes/s and datagrams/s, as its
 * socket sends them), its table messages per node per minute (`tx_table`), and the peers
 * each node keeps. With --churn P, P % of the NATed nodes per minute lose their NAT mapping
 * during the window (the NAT box is flushed: a new external port, so a changed session that
 * the table must carry). JSON on stdout and bench/out/rendezvous-scale-<stamp>.{json,svg}.
 *
 *   node --import tsx bench/rendezvous-scale.ts [--sizes 1000,10000] [--churn 0,5] [--window-ms 120000] [--out DIR]
 */
import { parseArgs } from 'node:util';
import type { NatType } from '../agent/lib/simnet/nat-box.ts';
import { seeded, SimWorld } from '../test/natm/sim-world.ts';
import { hostInfo, runHead } from './lib/host-info.ts';
import { OUT_DIR, stamp, writeOut } from './lib/out-files.ts';
import { renderChart } from './lib/svg-plot.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000' },
    'window-ms': { type: 'string', default: '120000' },
    'join-ms': { type: 'string', default: '60000' },
    churn: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});
const TYPES: Array<NatType | 'open'> = [
  'full-cone',
  'restricted',
  'port-restricted',
  'symmetric',
  'firewall',
  'open',
];
const STEP_MS = 100;

const pct = (xs: number[], p: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function one(n: number, joinMs: number, windowMs: number, churn: number) {
  const cpu0 = process.cpuUsage();
  const wall0 = Date.now();
  const w = await SimWorld.create({ seed: 19, delayMs: 20, jitterMs: 20 });
  const r = w.addRendezvous();
  let bytes = 0;
  let datagrams = 0;
  const sock = w.rdvSockets[0]!;
  const send = sock.send.bind(sock);
  sock.send = (d, to) => {
    bytes += d.length;
    datagrams++;
    send(d, to);
  };
  for (let i = 0; i < n; i++) w.addNode(`n${i}`, TYPES[i % TYPES.length]!, { maxPeers: 64, eagerPaths: 2 });
  const nodes = [...w.nodes.entries()];
  const joined = new Map<string, number>();
  const curve: Array<[number, number]> = [[0, 0]];
  for (let t = 0; t < joinMs && joined.size < n; t += STEP_MS) {
    w.run(STEP_MS);
    for (const [id, node] of nodes)
      if (!joined.has(id) && node.external && r.table.get(id)) joined.set(id, t + STEP_MS);
    curve.push([(t + STEP_MS) / 1000, joined.size]);
  }
  const joinBytes = bytes;
  const [b0, d0, tables0] = [bytes, datagrams, r.counters.get('tx_table')];
  const nated = nodes.map(([id]) => w.hosts.get(id)!.nat).filter((x) => x !== undefined);
  let remapped = 0;
  const pick = seeded(n + churn);
  for (let t = 0; t < windowMs; t += 1000) {
    w.run(1000);
    const k = Math.floor(((t + 1000) / 60_000) * (churn / 100) * nated.length) - remapped;
    for (let i = 0; i < k; i++) nated[Math.floor(pick() * nated.length)]!.flush();
    remapped += Math.max(0, k);
  }
  const min = windowMs / 60_000;
  const s = windowMs / 1000;
  const views = nodes.map(([, node]) => node.peers().length);
  const times = [...joined.values()];
  const row = {
    n,
    churnPercentPerMin: churn,
    remapped,
    joined: joined.size,
    joinMs: { p50: pct(times, 50), p99: pct(times, 99), max: pct(times, 100) },
    joinRendezvousBytes: joinBytes,
    steady: {
      windowMs,
      egressBytesPerS: Math.round((bytes - b0) / s),
      egressBytesPerNodePerS: Math.round(((bytes - b0) / s / n) * 100) / 100,
      egressDatagramsPerS: Math.round((datagrams - d0) / s),
      tableMessagesPerNodePerMin: Math.round(((r.counters.get('tx_table') - tables0) / n / min) * 100) / 100,
    },
    tableSize: r.table.size(),
    peersPerNode: { min: Math.min(...views), p50: pct(views, 50), max: Math.max(...views) },
    cpuSeconds: Math.round((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e4) / 100,
    wallSeconds: Math.round((Date.now() - wall0) / 100) / 10,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  await w.stop();
  process.stderr.write(`rendezvous-scale: ${JSON.stringify(row)}\n`);
  return { row, curve };
}

const started = new Date();
const before = hostInfo();
const sizes = values.sizes.split(',').map(Number);
const churns = values.churn.split(',').map(Number);
const runs = [];
for (const c of churns)
  for (const n of sizes) runs.push(await one(n, Number(values['join-ms']), Number(values['window-ms']), c));
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
const svg = renderChart({
  title: 'Nodes reachable at the rendezvous after joining at once (simulated)',
  xLabel: 'simulated seconds',
  yLabel: 'fraction of nodes joined',
  series: runs.map((x, i) => ({
    label: `N = ${x.row.n}, churn ${x.row.churnPercentPerMin} %/min`,
    color: COLORS[i % COLORS.length]!,
    step: true,
    points: x.curve.map(([t, k]) => [t, k / x.row.n] as const),
  })),
});
const json = { ...runHead('rendezvous-scale', started, before), rows: runs.map((x) => x.row) };
const files = writeOut(values.out ?? OUT_DIR, `rendezvous-scale-${stamp(started)}`, {
  json: JSON.stringify(json, null, 1),
  svg,
});
process.stdout.write(`${JSON.stringify(json)}\n`);
process.stderr.write(`wrote ${files.join(', ')}\n`);
