/**
 * bench/footprint: RSS and CPU of a node's processes, idle and during a download,
 * sampled from /proc (default 60 s each). Prints JSON and writes it to bench/out/.
 *   node --import tsx bench/footprint.ts [--seconds 60] [--rate-mbit 20]
 * See bench/README.md.
 */
import { parseArgs } from 'node:util';
import { footprintSvg } from './footprint/chart.ts';
import { runFootprint } from './footprint/run.ts';
import { hostInfo, runHead } from './lib/host-info.ts';
import { OUT_DIR, stamp, writeOut } from './lib/out-files.ts';

const USAGE = 'footprint [--seconds 60] [--settle-s 45] [--rate-mbit 20] [--out DIR] [--keep]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      'settle-s': { type: 'string' },
      'rate-mbit': { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error('bench/footprint needs root (network namespaces, tc)');
  const seconds = Number(values.seconds ?? 60);
  const rateMbit = Number(values['rate-mbit'] ?? 20);
  // V8's memory reducer shrinks the heap over the first ~35 s after start-up (bench/RESULTS.md,
  // §Footprint: steady state): an idle window that starts earlier measures start-up.
  const settleSeconds = Number(values['settle-s'] ?? 45);
  if (!(settleSeconds >= 0 && settleSeconds <= 600))
    throw new Error(`--settle-s must be 0..600; usage: ${USAGE}`);
  if (!(seconds >= 2 && seconds <= 3600)) throw new Error(`--seconds must be 2..3600; usage: ${USAGE}`);
  if (!(rateMbit > 0)) throw new Error(`--rate-mbit must be > 0; usage: ${USAGE}`);
  const started = new Date();
  const before = hostInfo();
  const result = await runFootprint({ seconds, settleSeconds, rateMbit, keepFiles: values.keep === true });
  const { transmission, ...rest } = result;
  const doc = {
    ...runHead('footprint', started, before, { transmission }),
    ...rest,
  };
  const title = `idle memory, Transmission ${transmission}, load ${before.loadavg[0]}`;
  const files = writeOut(values.out ?? OUT_DIR, `footprint-${stamp(started)}`, {
    json: `${JSON.stringify(doc, null, 2)}\n`,
    svg: footprintSvg(rest.idle, title),
  });
  process.stdout.write(`${JSON.stringify({ ...doc, files }, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`footprint: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
