/**
 * What a hostile 2 MiB torrent-file++ costs a manager before its signature is checked:
 * for each shape of bench/lib/bencode-bombs.ts, a fresh child process verifies it and
 * reports time and peak RSS over its baseline (bench/lib/parse-bomb-child.ts). Issue 16
 * item 6: the bound is 64 MiB over baseline for any input. JSON on stdout; JSON + SVG in
 * bench/out/ (with --compare, the SVG sets an earlier run's peaks beside this one's).
 *
 *   node --import tsx bench/parse-bombs.ts [--repeat 3] [--compare bench/results/parse-bombs-before.json]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BOMBS } from './lib/bencode-bombs.ts';
import { hostInfo } from './lib/host-info.ts';
import { OUT_DIR, stamp, writeOut } from './lib/out-files.ts';
import { max, median, round } from './lib/stats.ts';
import { renderBars } from './lib/svg-bars.ts';

const { values } = parseArgs({
  options: { repeat: { type: 'string', default: '3' }, compare: { type: 'string' } },
});
const repeat = Number(values.repeat);
const child = fileURLToPath(new URL('./lib/parse-bomb-child.ts', import.meta.url));
const LIMIT_MIB = 64;

interface Run {
  shape: string;
  bytes: number;
  code: string;
  message: string;
  ms: number;
  baselineKiB: number;
  peakKiB: number;
}

const rows = Object.keys(BOMBS).map((shape) => {
  const runs: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    process.stderr.write(`parse-bombs: ${shape} ${i + 1}/${repeat}\n`);
    const out = execFileSync(process.execPath, ['--import', 'tsx', child, shape], { encoding: 'utf8' });
    runs.push(JSON.parse(out) as Run);
  }
  const over = runs.map((r) => (r.peakKiB - r.baselineKiB) / 1024);
  return {
    shape,
    bytes: runs[0]!.bytes,
    code: runs[0]!.code,
    message: runs[0]!.message,
    msMedian: round(median(runs.map((r) => r.ms)), 1),
    peakOverBaselineMiBMax: round(max(over), 1),
    peakMiBMax: round(max(runs.map((r) => r.peakKiB / 1024)), 1),
    withinLimit: max(over) <= LIMIT_MIB,
  };
});

const result = {
  bench: 'parse-bombs',
  at: new Date().toISOString(),
  host: hostInfo(),
  repeat,
  limitMiB: LIMIT_MIB,
  rows,
};
const json = `${JSON.stringify(result, null, 2)}\n`;
process.stdout.write(json);

const before = values.compare
  ? (JSON.parse(readFileSync(values.compare, 'utf8')) as typeof result).rows
  : undefined;
const pick = (rs: typeof rows) =>
  rows.map((r) => rs.find((x) => x.shape === r.shape)?.peakOverBaselineMiBMax ?? NaN);
const svg = renderBars({
  title: 'verifyTorrentPlusPlus on hostile 2 MiB inputs: peak RSS over baseline',
  yLabel: 'MiB',
  categories: rows.map((r) => r.shape),
  series: [
    ...(before ? [{ label: `before (${values.compare})`, color: '#d62728', values: pick(before) }] : []),
    { label: 'this run', color: '#1f77b4', values: pick(rows) },
  ],
  limit: { label: `${LIMIT_MIB} MiB bound`, y: LIMIT_MIB },
});
const files = writeOut(OUT_DIR, `parse-bombs-${stamp()}`, { json, svg });
process.stderr.write(`parse-bombs: wrote ${files.join(', ')}\n`);
