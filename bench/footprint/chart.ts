/**
 * bench/footprint's SVG: idle memory per process (USS, PSS here, and the device estimate
 * USS + shared/2), plus manager + natm against the issue 17 target (80 MiB).
 */
import { renderBars } from '../lib/svg-bars.ts';
import type { Footprint } from './sampler.ts';

export const TARGET_MIB = 80;

export function footprintSvg(idle: Record<string, Footprint>, title: string): string {
  const names = ['manager', 'natm'].filter((n) => idle[n]);
  const dev = (f: Footprint) => f.ussMiB + f.sharedMiB / 2;
  const sum = (f: (x: Footprint) => number) => names.reduce((a, n) => a + f(idle[n]!), 0);
  const categories = [...names, 'manager + natm'];
  const col = (f: (x: Footprint) => number) => [...names.map((n) => f(idle[n]!)), sum(f)];
  return renderBars({
    title,
    yLabel: 'MiB, idle mean',
    categories,
    series: [
      { label: 'USS (private)', color: '#4477aa', values: col((f) => f.ussMiB) },
      { label: 'PSS on this machine', color: '#cccccc', values: col((f) => f.pssMiB.mean) },
      { label: 'device PSS estimate (USS + shared/2)', color: '#ee6677', values: col(dev) },
    ],
    limit: { label: `target ${TARGET_MIB} MiB (manager + natm)`, y: TARGET_MIB },
  });
}
