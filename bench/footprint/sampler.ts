/**
 * Samples the RSS and CPU time of process trees (a root pid and its descendants, e.g.
 * node + tsx's esbuild service) from /proc once per interval, for a given time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { max, mean, round } from '../lib/stats.ts';
import {
  cpuPercent,
  descendants,
  parseRollup,
  parseStat,
  parseStatusMemory,
  type ProcStat,
} from './proc-stat.ts';

function readSafe(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const t = readSafe(`/proc/${d}/stat`);
    if (t)
      try {
        out.push(parseStat(t));
      } catch {
        // raced with exit
      }
  }
  return out;
}

interface TreeReading {
  readonly rss: number;
  /** Proportional set size: shared pages divided among the processes that map them. */
  readonly pss: number;
  /** Private pages (USS) and pages shared with any other process. */
  readonly private: number;
  readonly shared: number;
  /** Sum of each process's peak RSS so far (VmHWM), start-up included. */
  readonly hwm: number;
  readonly cpuTicks: number;
  readonly procs: number;
}

function readTree(root: number, table: ProcStat[]): TreeReading {
  let rss = 0;
  let pss = 0;
  let priv = 0;
  let shared = 0;
  let hwm = 0;
  let cpuTicks = 0;
  const pids = descendants(root, table);
  for (const pid of pids) {
    const st = table.find((p) => p.pid === pid);
    const status = readSafe(`/proc/${pid}/status`);
    if (st) cpuTicks += st.cpuTicks;
    const rollup = readSafe(`/proc/${pid}/smaps_rollup`);
    if (rollup) {
      const r = parseRollup(rollup);
      pss += r.pss;
      priv += r.private;
      shared += r.shared;
    }
    if (status) {
      const mem = parseStatusMemory(status);
      rss += mem.rss;
      hwm += mem.hwm;
    }
  }
  return { rss, pss, private: priv, shared, hwm, cpuTicks, procs: pids.length };
}

export interface Footprint {
  readonly samples: number;
  readonly processes: number;
  readonly rssMiB: { readonly mean: number; readonly max: number };
  readonly pssMiB: { readonly mean: number; readonly max: number };
  /** Means over the samples: private pages, and pages shared with other processes. */
  readonly ussMiB: number;
  readonly sharedMiB: number;
  /** Peak RSS since the process started (VmHWM), as of the last sample. */
  readonly peakRssSinceStartMiB: number;
  readonly cpuPercent: { readonly mean: number; readonly max: number };
  readonly cpuSeconds: number;
}

/** Samples every named tree every `everyMs` for `seconds`; one Footprint per name. */
export async function sample(
  roots: ReadonlyMap<string, number>,
  seconds: number,
  everyMs = 1000,
): Promise<Map<string, Footprint>> {
  const series = new Map([...roots.keys()].map((k) => [k, [] as Array<TreeReading & { t: number }>]));
  const t0 = Date.now();
  for (;;) {
    const table = allStats();
    const t = (Date.now() - t0) / 1000;
    for (const [name, pid] of roots) series.get(name)!.push({ ...readTree(pid, table), t });
    if (t >= seconds) break;
    await new Promise((r) => setTimeout(r, Math.min(everyMs, Math.max(1, (seconds - t) * 1000))));
  }
  const out = new Map<string, Footprint>();
  for (const [name, s] of series) {
    const cpu = s.slice(1).map((x, i) => cpuPercent(s[i]!.cpuTicks, x.cpuTicks, x.t - s[i]!.t));
    const rss = s.map((x) => x.rss / 2 ** 20);
    const pss = s.map((x) => x.pss / 2 ** 20);
    const first = s[0]!;
    const last = s[s.length - 1]!;
    out.set(name, {
      samples: s.length,
      processes: max(s.map((x) => x.procs)),
      rssMiB: { mean: round(mean(rss), 1), max: round(max(rss), 1) },
      pssMiB: { mean: round(mean(pss), 1), max: round(max(pss), 1) },
      ussMiB: round(mean(s.map((x) => x.private / 2 ** 20)), 1),
      sharedMiB: round(mean(s.map((x) => x.shared / 2 ** 20)), 1),
      peakRssSinceStartMiB: round(last.hwm / 2 ** 20, 1),
      cpuPercent: { mean: round(mean(cpu), 1), max: round(max(cpu), 1) },
      cpuSeconds: round((last.cpuTicks - first.cpuTicks) / 100, 2),
    });
  }
  return out;
}
