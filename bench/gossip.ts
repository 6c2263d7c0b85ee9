/**
 * Gossip dissemination benchmark (issue 9 item 2): for N × packet loss, simulated on the
 * in-memory network with a fake clock, how many gossip rounds (200 ms) and simulated
 * seconds until 99% / 100% of nodes hold a 10 KB notification, messages sent per node,
 * and Serf's prediction fraction(x) = 1 / (1 + (N+1)·e^(−0.5·fanout·(1−loss)·x)).
 * Prints JSON on stdout and writes an SVG plot to bench/out/gossip-n<sizes>.svg (with
 * --tag T: JSON and SVG to bench/results/gossip-T.{json,svg}). The fleet runs --warmup-ms
 * (30 s) before the publish, so that the fleet-size estimate (fleet-size.ts) has settled;
 * each row records the estimate and the retransmit limit over the nodes at publish time.
 *
 *   node --import tsx bench/gossip.ts [--sizes 100,1000,10000] [--losses 0,0.1,0.3] [--warmup-ms 30000] [--tag T]
 *
 * N > 2000 runs with a partial membership view (each node knows 256 random members,
 * maxMembers 256): a full view is O(N²) memory in one process; see docs/protocol/gossip.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SimCluster } from '../agent/lib/gossip/sim/cluster.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,10000' },
    losses: { type: 'string', default: '0,0.1,0.3' },
    'warmup-ms': { type: 'string', default: '30000' },
    tag: { type: 'string' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const losses = values.losses.split(',').map(Number);
const WARMUP_MS = Number(values['warmup-ms']);
const FANOUT = 3;
const ROUND_MS = 200;

function serf(n: number, loss: number, x: number): number {
  return 1 / (1 + (n + 1) * Math.exp(-0.5 * FANOUT * (1 - loss) * x));
}
function serfRounds(n: number, loss: number, frac: number): number {
  return Math.log(((n + 1) * frac) / (1 - frac)) / (0.5 * FANOUT * (1 - loss));
}

interface Row {
  n: number;
  loss: number;
  view: 'full' | 'random-256';
  rounds99: number;
  rounds100: number;
  seconds99: number;
  seconds100: number;
  messagesPerNode: { mean: number; max: number; byType: Record<string, number> };
  serf: { rounds99: number; rounds100: number };
  curve: number[];
  cpuSeconds: number;
  warmupMs: number;
  /** Over the nodes at publish time: min / median / max. */
  fleetEstimate: [number, number, number];
  retransmitLimit: [number, number, number];
}

function spread(xs: number[]): [number, number, number] {
  const s = [...xs].sort((a, b) => a - b);
  return [s[0]!, s[Math.floor(s.length / 2)]!, s.at(-1)!];
}

const rows: Row[] = [];
for (const n of sizes) {
  for (const loss of losses) {
    const t0 = process.cpuUsage();
    const partial = n > 2000;
    const c = new SimCluster({
      n,
      seed: 1,
      net: { loss, peers: partial ? 256 : 'all', seedsFrom: 'any' },
      gossip: partial ? { maxMembers: 256 } : {},
    });
    c.clock.advance(WARMUP_MS);
    const nodes = [...c.nodes.values()];
    const fleetEstimate = spread(nodes.map((x) => x.fleetSize.estimate()));
    const limits = spread(nodes.map((x) => x.queue.limit()));
    for (const l of c.net.links.values()) l.sent = 0;
    c.net.sentByType.clear();
    const id = c.publish('n0', 'app://bench', 1, 10_000);
    const curve: number[] = [];
    let r99 = -1;
    let r100 = -1;
    for (let round = 1; round <= 1500 && r100 < 0; round++) {
      c.clock.advance(ROUND_MS);
      const f = c.holders(id) / n;
      curve.push(f);
      if (r99 < 0 && f >= 0.99) r99 = round;
      if (f === 1) r100 = round;
    }
    const sent = c.sentPerNode();
    const byType = Object.fromEntries([...c.net.sentByType].map(([k, v]) => [k, +(v / n).toFixed(2)]));
    c.stop();
    const cpu = process.cpuUsage(t0);
    const row: Row = {
      n,
      loss,
      view: partial ? 'random-256' : 'full',
      rounds99: r99,
      rounds100: r100,
      seconds99: (r99 * ROUND_MS) / 1000,
      seconds100: (r100 * ROUND_MS) / 1000,
      messagesPerNode: {
        mean: +(sent.reduce((a, b) => a + b, 0) / n).toFixed(1),
        max: Math.max(...sent),
        byType,
      },
      serf: {
        rounds99: +serfRounds(n, loss, 0.99).toFixed(1),
        rounds100: +serfRounds(n, loss, 1 - 0.5 / n).toFixed(1),
      },
      curve,
      cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1),
      warmupMs: WARMUP_MS,
      fleetEstimate,
      retransmitLimit: limits,
    };
    rows.push(row);
    process.stderr.write(
      `N=${n} loss=${loss}: r99=${r99} r100=${r100} msgs/node=${row.messagesPerNode.mean} cpu=${row.cpuSeconds}s` +
        ` estimate=${fleetEstimate.join('/')} limit=${limits.join('/')}\n`,
    );
  }
}

const json = JSON.stringify(
  rows.map(({ curve: _c, ...r }) => r),
  null,
  2,
);
console.log(json);
const dir = values.tag ? 'bench/results' : 'bench/out';
const base = values.tag ? `${dir}/gossip-${values.tag}` : `${dir}/gossip-n${sizes.join('-')}`;
mkdirSync(dir, { recursive: true });
if (values.tag) writeFileSync(`${base}.json`, json + '\n');
const svgPath = `${base}.svg`;
writeFileSync(svgPath, svg(rows));
process.stderr.write(`wrote ${svgPath}\n`);

function svg(rs: Row[]): string {
  const W = 900;
  const H = 520;
  const L = 60;
  const B = 50;
  const maxX = Math.max(20, ...rs.map((r) => r.curve.length));
  const x = (v: number) => L + (v / maxX) * (W - L - 220);
  const y = (f: number) => H - B - f * (H - B - 20);
  const colors = [
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
  ];
  const parts: string[] = [];
  rs.forEach((r, i) => {
    const col = colors[i % colors.length]!;
    const meas = r.curve.map((f, k) => `${x(k + 1).toFixed(1)},${y(f).toFixed(1)}`).join(' ');
    const pred = Array.from(
      { length: maxX },
      (_, k) => `${x(k + 1).toFixed(1)},${y(serf(r.n, r.loss, k + 1)).toFixed(1)}`,
    ).join(' ');
    parts.push(`<polyline fill="none" stroke="${col}" stroke-width="2" points="${meas}"/>`);
    parts.push(
      `<polyline fill="none" stroke="${col}" stroke-width="1" stroke-dasharray="4 3" points="${pred}"/>`,
    );
    parts.push(
      `<text x="${W - 210}" y="${30 + i * 18}" fill="${col}" font-size="12">N=${r.n} loss=${r.loss * 100}% (r99=${r.rounds99})</text>`,
    );
  });
  const ticks = [0, 0.25, 0.5, 0.75, 0.99].map(
    (f) =>
      `<text x="${L - 8}" y="${y(f) + 4}" font-size="11" text-anchor="end">${f}</text><line x1="${L}" x2="${W - 220}" y1="${y(f)}" y2="${y(f)}" stroke="#ddd"/>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${ticks.join('\n')}
<line x1="${L}" y1="${H - B}" x2="${W - 220}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="20" x2="${L}" y2="${H - B}" stroke="black"/>
<text x="${(W - 220 + L) / 2}" y="${H - 12}" font-size="12" text-anchor="middle">gossip rounds (200 ms); solid: measured, dashed: Serf prediction</text>
<text x="14" y="${H / 2}" font-size="12" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">fraction of nodes holding it</text>
${parts.join('\n')}
</svg>
`;
}
