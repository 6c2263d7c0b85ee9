/**
 * The Figure 2 phases (phases.ts) of a kept run: each node's manager log under `logDir`
 * (`manager-<node>.log`), per sample and as medians per payload size.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { medianPhases, nodePhases, type NodePhases } from './phases.ts';
import type { Fig2Sample } from './report.ts';

export function fig2Phases(logDir: string, samples: readonly Fig2Sample[]) {
  const nodes = [...new Set(samples.flatMap((s) => Object.keys(s.deployedMs)))];
  const lines = new Map(
    nodes.map((n) => {
      const f = join(logDir, `manager-${n}.log`);
      return [n, existsSync(f) ? readFileSync(f, 'utf8').split('\n') : []];
    }),
  );
  const perSample = samples.map(
    (s) =>
      Object.fromEntries(
        nodes.map((n) => [n, nodePhases(lines.get(n) ?? [], s.version, s.publishedAt ?? NaN)]),
      ) as Record<string, NodePhases>,
  );
  const sizes = [...new Set(samples.map((s) => s.sizeBytes))];
  return {
    perSample: samples.map((s, i) => ({ version: s.version, sizeBytes: s.sizeBytes, nodes: perSample[i] })),
    medianBySize: Object.fromEntries(
      sizes.map((size) => [size, medianPhases(perSample.filter((_, i) => samples[i]!.sizeBytes === size))]),
    ),
  };
}
