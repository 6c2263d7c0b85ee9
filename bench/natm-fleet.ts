/**
 * natm at fleet scale with real processes (issue 19 item 6, real-process part): N natm
 * agents (default 200, one network namespace each, the bundled CLI as packaged, documented
 * defaults: keepalive 15 s) behind K NAT routers (port-restricted cone = masquerade, every
 * 3rd router symmetric = masquerade fully-random) plus every 10th agent public, one
 * rendezvous; one cluster key, or with `--trust cert` certificates from a real enrollment
 * server (bench/fleet/enroll.ts) and an open rendezvous (one table per cluster namespace,
 * every packet signed by its sender). No Transmission, no manager: the bench process holds
 * each agent's IPC socket and plays the manager's part (manager-stub.ts: it verifies each
 * notification's signature and answers `relay`). Layout: bench/fleet/plan.ts.
 *
 * Measures: per agent, time from start to registered (external endpoint known, rendezvous
 * answering), to >= k live paths, to seeing every agent alive (gossip); over a steady
 * window the rendezvous's egress (its switch port) and table messages per node per minute
 * (its `tx_table` counter), CPU of the agents and the rendezvous, RSS sums; then one
 * notification published at one agent and its spread (time to 50 / 90 / 100 % notified).
 * Needs root, iproute2, nftables. Run heavy: under `flock /tmp/p2pu-heavy.lock`.
 *
 *   node --import tsx bench/natm-fleet.ts [--agents 200] [--routers 20] [--public-every 10]
 *     [--symmetric-every 3] [--stagger-ms 250] [--k 3] [--poll-ms 2000] [--form-timeout-s 300]
 *     [--window-s 60] [--spread-timeout-s 120] [--publisher aNNN] [--trust key|cert] [--keep] [--out DIR]
 */
import { parseArgs } from 'node:util';
import { runFleet } from './fleet/run.ts';
import { charts, formationReport, kinds, pathKinds } from './fleet/report.ts';
import { hostInfo, runHead } from './lib/host-info.ts';
import { OUT_DIR, stamp, writeOut } from './lib/out-files.ts';
import { round } from './lib/stats.ts';

const { values: v } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    routers: { type: 'string', default: '20' },
    'public-every': { type: 'string', default: '10' },
    'symmetric-every': { type: 'string', default: '3' },
    'stagger-ms': { type: 'string', default: '250' },
    k: { type: 'string', default: '3' },
    'poll-ms': { type: 'string', default: '2000' },
    'form-timeout-s': { type: 'string', default: '300' },
    'window-s': { type: 'string', default: '60' },
    'spread-timeout-s': { type: 'string', default: '120' },
    publisher: { type: 'string' },
    trust: { type: 'string', default: 'key' },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

if (v.trust !== 'key' && v.trust !== 'cert') {
  process.stderr.write(`natm-fleet: --trust must be key or cert, got "${v.trust}"\n`);
  process.exit(2);
}
const started = new Date();
const before = hostInfo();
const o = {
  agents: Number(v.agents),
  routers: Number(v.routers),
  publicEvery: Number(v['public-every']),
  symmetricEvery: Number(v['symmetric-every']),
  staggerMs: Number(v['stagger-ms']),
  k: Number(v.k),
  pollMs: Number(v['poll-ms']),
  formTimeoutS: Number(v['form-timeout-s']),
  windowS: Number(v['window-s']),
  spreadTimeoutS: Number(v['spread-timeout-s']),
  keep: v.keep,
  trust: v.trust === 'cert' ? ('cert' as const) : ('key' as const),
  ...(v.publisher ? { publisher: v.publisher } : {}),
};
const r = await runFleet(o);
const n = r.plan.agents.length;
const { b0, b1, c0, c1, w0, w1, rss, rdvRss } = r.steady;
const winS = (w1.at - w0.at) / 1000;
const tx = (c: typeof c0, k: string) => c.counters?.[k] ?? 0;
const steady = {
  windowS: round(winS, 1),
  rendezvousEgressBytesPerS: Math.round((b1.up - b0.up) / winS),
  rendezvousEgressBytesPerNodePerS: round((b1.up - b0.up) / winS / n, 1),
  rendezvousIngressBytesPerS: Math.round((b1.down - b0.down) / winS),
  tableMessagesPerNodePerMin: round((tx(c1, 'tx_table') - tx(c0, 'tx_table')) / n / (winS / 60), 2),
  rendezvousSessions: c1.sessions ?? null,
  agentsCpuCores: round((w1.agents - w0.agents) / 100 / winS, 3),
  agentCpuPercentEach: round(((w1.agents - w0.agents) / 100 / winS / n) * 100, 2),
  rendezvousCpuCores: round((w1.rdv - w0.rdv) / 100 / winS, 3),
  agentsRssMiB: Math.round(rss.bytes / 2 ** 20),
  agentRssMiBEach: round(rss.bytes / Math.max(1, rss.count) / 2 ** 20, 1),
  rendezvousRssMiB: Math.round(rdvRss.bytes / 2 ** 20),
};
const { curve, ...spread } = r.spread;
const json = {
  ...runHead('natm-fleet', started, before),
  params: o,
  bed: {
    agents: n,
    routers: r.plan.routers.length,
    kinds: kinds(r.plan),
    namespaces: r.plan.allNamespaces.length,
  },
  formation: formationReport(r.times, r.t0, n, o.k),
  paths: pathKinds(r.end.views.values()),
  steady,
  spread: { ...spread, refused: r.refused },
  natmCounters: r.end.counters,
  rendezvousCounters: r.end.rdv.counters ?? {},
  timeline: r.timeline,
  spreadCurve: curve,
};
const svg = charts(n, o.k, r.timeline, r.spread);
const files = writeOut(v.out ?? OUT_DIR, `natm-fleet-${n}-${stamp(started)}`, {
  json: JSON.stringify(json, null, 1),
  svg: svg.formation,
  'spread.svg': svg.spread,
});
process.stdout.write(`${JSON.stringify({ ...json, timeline: undefined, spreadCurve: undefined })}\n`);
process.stderr.write(`wrote ${files.join(', ')}\n`);
