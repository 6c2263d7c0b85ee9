/**
 * Removes everything a bed with a given prefix made, synchronously (it also runs from an
 * `exit` handler, and at the start of a run for leftovers of a killed one): the containers
 * (found by their nspawn command line, whatever namespace they are in; SIGKILL to their
 * init), the namespaces named with the prefix and what runs in them, then the mounts and
 * files under the bed's run directories.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepNamespacesSync } from '../../e2e/harness/netns.ts';
import { containerInit } from './nspawn.ts';
import { removeTreeSync } from './overlay.ts';

export const RUNS_DIR = '/var/tmp/p2pu-booted/run';

/** Run directory of a bed: RUNS_DIR/<prefix>. */
export function runDirOf(prefix: string): string {
  return join(RUNS_DIR, prefix.replace(/-$/, ''));
}

/** nspawn processes whose root (-D) is under `dir`. */
export function nspawnsUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!(argv[0] ?? '').endsWith('systemd-nspawn')) continue;
    const root = argv[argv.indexOf('-D') + 1] ?? '';
    if (argv.includes('-D') && root.startsWith(`${dir}/`)) found.push(Number(entry));
  }
  return found;
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Returns what it removed (namespaces and run directory), for a log line. */
export function sweepBedSync(prefix: string): string[] {
  const dir = runDirOf(prefix);
  const nspawns = nspawnsUnder(dir);
  for (const pid of nspawns) {
    const init = containerInit(pid);
    if (init !== undefined) kill(init);
  }
  for (let i = 0; i < 50 && nspawnsUnder(dir).length > 0; i++) pause(100);
  for (const pid of nspawnsUnder(dir)) kill(pid);
  const removed = sweepNamespacesSync(prefix);
  let exists = true;
  try {
    readdirSync(dir);
  } catch {
    exists = false;
  }
  if (exists) {
    removeTreeSync(dir);
    removed.push(dir);
  }
  return removed.concat(nspawns.map((p) => `nspawn ${p}`));
}
