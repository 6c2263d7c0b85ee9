/**
 * Child process for bench/parse-bombs.ts and test/metainfo/parse-bombs.test.ts: builds one
 * hostile input, notes the peak RSS so far (baseline: modules loaded, input built, one tiny
 * parse done), verifies the input as a manager does, and prints one JSON line:
 * {shape, bytes, code, message, ms, baselineKiB, peakKiB}. Peak RSS is process-wide
 * (`process.resourceUsage().maxRSS`), so only a fresh process per input measures it.
 *
 *   node --import tsx bench/lib/parse-bomb-child.ts SHAPE
 */
import { MetadataError } from '../../agent/lib/common/errors.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { BOMBS } from './bencode-bombs.ts';

const shape = process.argv[2] ?? '';
const make = BOMBS[shape];
if (!make) {
  process.stderr.write(`unknown shape "${shape}"; one of ${Object.keys(BOMBS).join(', ')}\n`);
  process.exit(2);
}
const input = make();
const opts = { trusted: [], now: Date.now() };
await verifyTorrentPlusPlus(Buffer.from('le'), opts).catch(() => undefined); // load and warm up
const baselineKiB = process.resourceUsage().maxRSS;
const t0 = process.hrtime.bigint();
let code = 'ACCEPTED';
let message = '';
try {
  await verifyTorrentPlusPlus(input, opts);
} catch (e) {
  code = e instanceof MetadataError ? e.code : `THROWN ${(e as Error).name}`;
  message = (e as Error).message.slice(0, 160);
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const peakKiB = process.resourceUsage().maxRSS;
process.stdout.write(
  `${JSON.stringify({ shape, bytes: input.length, code, message, ms: +ms.toFixed(1), baselineKiB, peakKiB })}\n`,
);
