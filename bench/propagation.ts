/**
 * bench/propagation: one origin and N nodes (some behind NAT) in network namespaces,
 * every access link shaped with tc tbf; the same payload delivered by p2p-update and by
 * a central nginx server; compared with the Kumar–Ross bound. Prints JSON, writes JSON
 * and an SVG plot to bench/out/. Run as root:
 *   node --import tsx bench/propagation.ts [--nodes 16] [--size-mib 32] [--rate-mbit 20]
 * See bench/README.md.
 */
import { parseArgs } from 'node:util';
import { commandNames } from '../admin-tools/cli/program.ts';

const COMMANDS = commandNames();
import { hostInfo, runHead } from './lib/host-info.ts';
import { uniformBounds } from './lib/kumar-ross.ts';
import { OUT_DIR, stamp, writeOut } from './lib/out-files.ts';
import { leverConfig, leverLabel, LEVERS, parseLevers } from './propagation/levers.ts';
import { runPropagation } from './propagation/run.ts';

const USAGE = `propagation [--mode auto|full-stack|manager|bittorrent-only] [--nodes 16] [--size-mib 32] [--rate-mbit 20] [--nat-every 2] [--timeout-s 300] [--skip-central] [--tr-settings JSON] [--public] [--levers none|all|${LEVERS.join(',')}] [--speed JSON] [--out DIR] [--keep]`;

function num(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0)
    throw new Error(`--${name} must be a positive number, got "${v}"; usage: ${USAGE}`);
  return x;
}

/** auto: the most complete stack this tree can run (full-stack needs natm with gossip). */
function pickMode(v: string | undefined): 'bittorrent-only' | 'manager' | 'full-stack' {
  const managerHere = COMMANDS.has('manager');
  const overlayHere =
    managerHere && COMMANDS.has('natm') && COMMANDS.has('rendezvous') && COMMANDS.has('members');
  if (v === undefined || v === 'auto')
    return overlayHere ? 'full-stack' : managerHere ? 'manager' : 'bittorrent-only';
  if (v === 'bittorrent-only') return v;
  if (v === 'manager') {
    if (!managerHere) throw new Error('--mode manager: this tree has no `p2p-update manager` yet');
    return v;
  }
  if (v === 'full-stack')
    throw new Error(
      '--mode full-stack is not implemented yet: it needs the gossip layer (notifications, peer lists)',
    );
  throw new Error(`--mode must be auto, full-stack, manager or bittorrent-only, got "${v}"; usage: ${USAGE}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      nodes: { type: 'string' },
      'size-mib': { type: 'string' },
      'rate-mbit': { type: 'string' },
      'nat-every': { type: 'string' },
      'timeout-s': { type: 'string' },
      'skip-central': { type: 'boolean' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
      'tr-settings': { type: 'string' },
      public: { type: 'boolean' },
      levers: { type: 'string' },
      speed: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error('bench/propagation needs root (network namespaces, tc)');
  const mode = pickMode(values.mode);
  const on = parseLevers(values.levers);
  const extra = JSON.parse(values.speed ?? '{}') as Record<string, unknown>;
  const levers = leverConfig(on, extra);
  const opts = {
    mode,
    nodes: Math.round(num(values.nodes, 'nodes', 16)),
    fileBytes: Math.round(num(values['size-mib'], 'size-mib', 32) * 2 ** 20),
    rateMbit: num(values['rate-mbit'], 'rate-mbit', 20),
    natEvery: values['nat-every'] === '0' ? 0 : Math.round(num(values['nat-every'], 'nat-every', 2)),
    timeoutMs: num(values['timeout-s'], 'timeout-s', 300) * 1000,
    central: !values['skip-central'],
    keepFiles: values.keep === true,
    trSettings: JSON.parse(values['tr-settings'] ?? '{}') as object,
    publicTorrent: values.public === true,
    levers,
  };
  const started = new Date();
  const hostBefore = hostInfo();
  const bounds = uniformBounds(opts.fileBytes, opts.nodes, opts.rateMbit * 1e6);
  const { report, svg, transmission } = await runPropagation(opts, bounds);
  const label = leverLabel(on);
  const doc = {
    ...runHead('propagation', started, hostBefore, { transmission }),
    levers: { label, ...levers },
    ...report,
  };
  const files = writeOut(values.out ?? OUT_DIR, `propagation-${stamp(started)}-${label}`, {
    json: `${JSON.stringify(doc, null, 2)}\n`,
    svg,
  });
  process.stdout.write(`${JSON.stringify({ ...doc, files }, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`propagation: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
