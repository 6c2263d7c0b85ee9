/** What the machine looked like during a run (load, cores), for the results file. */
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';

export function loadAverage(): [number, number, number] {
  const parts = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  return [parts[0] ?? NaN, parts[1] ?? NaN, parts[2] ?? NaN];
}

export function hostInfo(): {
  cpus: number;
  kernel: string;
  node: string;
  loadavg: [number, number, number];
} {
  return { cpus: cpus().length, kernel: release(), node: process.version, loadavg: loadAverage() };
}

/**
 * The head every bench's JSON starts with: which bench, when, the command as run, and the
 * host with its load before (`before`, read when the run started) and now, after it.
 */
export function runHead(
  bench: string,
  started: Date,
  before: ReturnType<typeof hostInfo>,
  host: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    bench,
    date: started.toISOString(),
    command: `node --import tsx bench/${bench}.ts ${process.argv.slice(2).join(' ')}`.trim(),
    host: { ...before, ...host, loadavgBefore: before.loadavg, loadavgAfter: loadAverage() },
  };
}
