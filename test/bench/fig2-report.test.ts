/** bench/fig2/report.ts: medians per payload size against the issue 17 targets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fig2Chart, fig2Report } from '../../bench/fig2/report.ts';

const s = (version: number, sizeBytes: number, ms: number[]) => ({
  version,
  sizeBytes,
  deployedMs: Object.fromEntries(ms.map((m, i) => [`n${i + 1}`, m])),
});

test('per size: the last node per round, medians over rounds, target met or not', () => {
  const samples = [
    s(1, 2 << 20, [500, 6000, 7000, 9000]),
    s(2, 4096, [300, 900, 1000, 1500]),
    s(3, 2 << 20, [400, 5000, 5500, 7000]),
    s(4, 4096, [300, 800, 1200, 2500]),
    s(5, 2 << 20, [450, 5000, 6000, 7500]),
    s(6, 4096, [300, 700, 1100, 1900]),
  ];
  const r = fig2Report(samples);
  const big = r.bySize[String(2 << 20)]!;
  assert.deepEqual(
    [big.rounds, big.lastMsMedian, big.lastMsMax, big.targetLastMs, big.met],
    [3, 7500, 9000, 8000, true],
  );
  assert.equal(big.perNodeMsMedian['n2'], 5000);
  const small = r.bySize['4096']!;
  assert.deepEqual([small.lastMsMedian, small.met], [1900, true]);
  assert.equal(r.samples[0]!.lastMs, 9000);
  assert.match(fig2Chart(samples, 't'), /2 MiB.*4 KiB|target 8 s/s);
});

test('a size without a target says so', () => {
  const r = fig2Report([s(1, 1000, [1, 2])]);
  assert.deepEqual([r.bySize['1000']!.targetLastMs, r.bySize['1000']!.met], [null, null]);
});
