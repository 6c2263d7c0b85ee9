/**
 * bench/fig2: the paper's Figure 2 (test/e2e/README.md) as a benchmark: rendezvous and
 * four enrolled nodes (node 2 behind NAT, nodes 3 and 4 behind a firewall, node 4 only
 * via node 3) in network namespaces; each round publishes a new version into node 1's
 * inbox — a 2 MiB update and a 4 KiB script by default — and times publish → deployed
 * on every node. Prints JSON, writes JSON and an SVG to bench/out/. Run as root:
 *   node --import tsx bench/fig2.ts [--rounds 3] [--sizes 2097152,4096] [--levers ...] [--speed JSON]
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Admin } from '../test/e2e/harness/admin.ts';
import { Cluster } from '../test/e2e/harness/cluster.ts';
import { waitDeployed } from '../test/e2e/harness/node-status.ts';
import { NODE_NAMES } from '../test/e2e/harness/plan.ts';
import { Topology } from '../test/e2e/harness/topology.ts';
import { fig2Phases } from './fig2/phase-files.ts';
import { fig2Chart, fig2Report, type Fig2Sample } from './fig2/report.ts';
import { hostInfo, runHead } from './lib/host-info.ts';
import { OUT_DIR, stamp, writeOut } from './lib/out-files.ts';
import { leverConfig, leverLabel, LEVERS, parseLevers } from './propagation/levers.ts';

const USAGE = `fig2 [--rounds 3] [--sizes 2097152,4096] [--levers none|all|${LEVERS.join(',')}] [--speed JSON] [--timeout-s 120] [--out DIR] [--keep]`;
const log = (l: string) => process.stderr.write(`fig2: ${l}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      sizes: { type: 'string' },
      levers: { type: 'string' },
      speed: { type: 'string' },
      'timeout-s': { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error('bench/fig2 needs root (network namespaces)');
  const rounds = Number(values.rounds ?? 3);
  const sizes = (values.sizes ?? `${2 << 20},4096`).split(',').map(Number);
  const timeoutMs = Number(values['timeout-s'] ?? 120) * 1000;
  if (!(rounds >= 1) || sizes.some((s) => !(s >= 1)) || !(timeoutMs > 0))
    throw new Error(`bad --rounds, --sizes or --timeout-s; usage: ${USAGE}`);
  const on = parseLevers(values.levers);
  const levers = leverConfig(on, JSON.parse(values.speed ?? '{}') as Record<string, unknown>);
  const outDir = values.out ?? OUT_DIR;
  const started = new Date();
  const hostBefore = hostInfo();
  const topo = await Topology.create({ prefix: 'p2pe-b-' });
  const samples: Fig2Sample[] = [];
  const logDir = join(topo.runDir, 'logs');
  const keptLogs = join(outDir, `fig2-${stamp(started)}-logs`);
  let transmission = 'unknown';
  let overlayMs = NaN;
  let ok = false;
  try {
    const cluster = await Cluster.create(topo, levers);
    const admin = new Admin(join(topo.runDir, 'admin'), cluster.adminKey);
    await cluster.start();
    overlayMs = await cluster.waitOverlay(60_000);
    const s = await cluster.transmission('n1').call<{ version?: string }>('session-get', {});
    transmission = s.version ?? 'unknown';
    log(`transmission-daemon ${transmission}; overlay formed in ${overlayMs} ms`);
    let version = 0;
    for (let r = 0; r < rounds; r++)
      for (const size of sizes) {
        const rel = await admin.release(++version, size);
        const t0 = Date.now();
        cluster.publish('n1', rel.torrent, rel.payload, rel.name);
        const at = await waitDeployed(cluster, NODE_NAMES, version, timeoutMs);
        samples.push({ version, sizeBytes: size, deployedMs: at, publishedAt: t0 });
        log(`v${version} (${size} B): ${JSON.stringify(at)} (${Date.now() - t0} ms)`);
      }
    ok = true;
  } finally {
    await topo.destroy({ keepFiles: !ok || values.keep === true });
    if (!ok || values.keep) log(`${ok ? 'done' : 'failed'}; logs kept in ${topo.runDir}`);
    // --keep in a chroot (scripts/bench-trixie.sh): /tmp goes away with it, bench/out stays
    if (values.keep) cpSync(logDir, keptLogs, { recursive: true });
  }
  const label = leverLabel(on);
  const doc = {
    ...runHead('fig2', started, hostBefore, { transmission }),
    levers: { label, ...levers },
    overlayFormedMs: overlayMs,
    ...fig2Report(samples),
    ...(values.keep ? { logs: keptLogs, phases: fig2Phases(keptLogs, samples) } : {}),
  };
  const title = `Figure 2: publish at node 1 → deployed, ${transmission.split(' ')[0]}, levers ${label}`;
  const files = writeOut(outDir, `fig2-${stamp(started)}-${label}`, {
    json: `${JSON.stringify(doc, null, 2)}\n`,
    svg: fig2Chart(samples, title),
  });
  process.stdout.write(`${JSON.stringify({ ...doc, files }, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fig2: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
