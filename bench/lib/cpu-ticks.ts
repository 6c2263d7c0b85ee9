/** CPU time (utime + stime, clock ticks) used so far by a set of processes, from /proc. */
import { readFileSync } from 'node:fs';
import { parseStat } from '../footprint/proc-stat.ts';

export function cpuTicks(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).cpuTicks;
    } catch {
      // exited
    }
  }
  return sum;
}
