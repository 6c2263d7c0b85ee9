/**
 * Parsing /proc/PID/stat and /proc/PID/status (pure), and turning two readings into CPU
 * use. The comm field of stat may hold spaces and parentheses, so fields are counted
 * from the last ')'.
 */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime in clock ticks. */
  readonly cpuTicks: number;
}

export function parseStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('malformed /proc/PID/stat: no comm field');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  // after ") ": state(3) ppid(4) ... utime(14) stime(15), i.e. indexes 0, 1, ... 11, 12
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const ppid = Number(f[1]);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (![pid, ppid, utime, stime].every(Number.isFinite)) throw new Error('malformed /proc/PID/stat');
  return { pid, ppid, cpuTicks: utime + stime };
}

/** VmRSS and VmHWM (peak) in bytes from /proc/PID/status; 0 when absent (kernel thread, zombie). */
export function parseStatusMemory(text: string): { rss: number; hwm: number } {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/**
 * From /proc/PID/smaps_rollup, in bytes (0 when absent): Pss, each page divided among the
 * processes that map it (on a busy machine with many node processes the binary's share is
 * small, so Pss understates a device's); private (USS: Private_Clean + Private_Dirty) and
 * shared (Shared_Clean + Shared_Dirty) pages, from which a device's Pss is estimated.
 */
export function parseRollup(text: string): { pss: number; private: number; shared: number } {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return {
    pss: kb('Pss'),
    private: kb('Private_Clean') + kb('Private_Dirty'),
    shared: kb('Shared_Clean') + kb('Shared_Dirty'),
  };
}

/** `pid` and all its descendants, from a ppid table. */
export function descendants(root: number, table: ReadonlyArray<{ pid: number; ppid: number }>): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const p of table) if (p.ppid === out[i]) out.push(p.pid);
  return out;
}

/** CPU use in percent of one core between two readings. */
export function cpuPercent(
  ticksBefore: number,
  ticksAfter: number,
  seconds: number,
  ticksPerSecond = 100,
): number {
  if (!(seconds > 0)) return NaN;
  return ((ticksAfter - ticksBefore) / ticksPerSecond / seconds) * 100;
}
