/**
 * The Figure 2 bench's report (pure): per update, when each node deployed it (ms after
 * publish), and per payload size the medians over the rounds, against the issue 17
 * targets (2 MiB ≤ 8 s, 4 KiB ≤ 2 s to the last node).
 */
import { max, median, round } from '../lib/stats.ts';
import { completionSteps, renderChart } from '../lib/svg-plot.ts';

export interface Fig2Sample {
  readonly version: number;
  readonly sizeBytes: number;
  /** Node → ms from publish to deployed. */
  readonly deployedMs: Readonly<Record<string, number>>;
  /** When it was published (ms since the epoch), for the phases read from the logs. */
  readonly publishedAt?: number;
}

export const TARGET_LAST_MS: Readonly<Record<number, number>> = { [2 << 20]: 8000, 4096: 2000 };

const last = (s: Fig2Sample) => max(Object.values(s.deployedMs));

export function fig2Report(samples: readonly Fig2Sample[]) {
  const sizes = [...new Set(samples.map((s) => s.sizeBytes))];
  return {
    samples: samples.map((s) => ({ ...s, lastMs: last(s) })),
    bySize: Object.fromEntries(
      sizes.map((size) => {
        const ss = samples.filter((s) => s.sizeBytes === size);
        const nodes = Object.keys(ss[0]?.deployedMs ?? {});
        const lastMedian = median(ss.map(last));
        return [
          String(size),
          {
            rounds: ss.length,
            lastMsMedian: round(lastMedian, 0),
            lastMsMax: round(max(ss.map(last)), 0),
            perNodeMsMedian: Object.fromEntries(
              nodes.map((n) => [n, round(median(ss.map((s) => s.deployedMs[n] ?? NaN)), 0)]),
            ),
            targetLastMs: TARGET_LAST_MS[size] ?? null,
            met: TARGET_LAST_MS[size] === undefined ? null : lastMedian <= TARGET_LAST_MS[size]!,
          },
        ];
      }),
    ),
  };
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e'];

export function fig2Chart(samples: readonly Fig2Sample[], title: string): string {
  const sizes = [...new Set(samples.map((s) => s.sizeBytes))];
  return renderChart({
    title,
    xLabel: 'seconds after publish (median over rounds per node rank)',
    yLabel: 'nodes deployed',
    series: sizes.map((size, i) => {
      const ss = samples.filter((s) => s.sizeBytes === size);
      const ranks = ss.map((s) => Object.values(s.deployedMs).sort((a, b) => a - b));
      const times = (ranks[0] ?? []).map((_, k) => median(ranks.map((r) => r[k] ?? NaN)) / 1000);
      return {
        label: size >= 1 << 20 ? `${size / 2 ** 20} MiB` : `${size / 1024} KiB`,
        color: COLORS[i % COLORS.length]!,
        points: completionSteps(times),
        step: true,
      };
    }),
    markers: sizes.flatMap((size) =>
      TARGET_LAST_MS[size] === undefined
        ? []
        : [
            {
              label: `target ${TARGET_LAST_MS[size]! / 1000} s`,
              x: TARGET_LAST_MS[size]! / 1000,
              color: '#888',
            },
          ],
    ),
  });
}
