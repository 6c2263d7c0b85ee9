/**
 * What the fleet bed reads from each agent: its natm stats (the Unix socket that
 * `p2p-update natm-stats` reads) reduced to registered / live paths / alive members, and
 * CPU and RSS of a set of processes from /proc.
 */
import { readFileSync } from 'node:fs';
import { readSocketJson } from '../../test/e2e/harness/socket-json.ts';
import { parseStatusMemory } from '../footprint/proc-stat.ts';
import { pool } from '../net/star-build.ts';

export type PathKind = 'direct' | 'punched' | 'relayed' | 'bridged';

export interface AgentView {
  /** It knows its external endpoint and a rendezvous answers it. */
  readonly registered: boolean;
  /** Peers with a live path, by kind. */
  readonly paths: Record<PathKind, number>;
  /** Gossip members it holds alive (itself excluded). */
  readonly alive: number;
  readonly counters: Record<string, number>;
}

interface RawStats {
  external?: unknown;
  rendezvous?: Array<{ alive?: boolean }>;
  peers?: Array<{ path?: string | null }>;
  members?: Array<{ self?: boolean; status?: string }>;
  counters?: Record<string, number>;
}

/** The view of one stats document (pure). */
export function viewOf(s: RawStats): AgentView {
  const paths: Record<PathKind, number> = { direct: 0, punched: 0, relayed: 0, bridged: 0 };
  for (const p of s.peers ?? []) if (p.path && p.path in paths) paths[p.path as PathKind]++;
  return {
    registered: s.external !== undefined && (s.rendezvous ?? []).some((r) => r.alive === true),
    paths,
    alive: (s.members ?? []).filter((m) => !m.self && m.status === 'alive').length,
    counters: s.counters ?? {},
  };
}

export const livePaths = (v: AgentView): number =>
  v.paths.direct + v.paths.punched + v.paths.relayed + v.paths.bridged;

/** Reads every agent's stats, `parallel` at a time; a socket that does not answer gives null. */
export async function readViews(
  sockets: ReadonlyMap<string, string>,
  parallel = 6,
): Promise<Map<string, AgentView | null>> {
  const out = new Map<string, AgentView | null>();
  await pool([...sockets], parallel, async ([name, path]) => {
    out.set(name, await readSocketJson<RawStats>(path, 5000).then(viewOf, () => null));
  });
  return out;
}

/** Sum of each counter over the agents that answered. */
export function sumCounters(views: Iterable<AgentView | null>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const v of views) for (const [k, n] of Object.entries(v?.counters ?? {})) sum[k] = (sum[k] ?? 0) + n;
  return sum;
}

/** Summed VmRSS of `pids` in bytes, and how many were read. */
export function rssSum(pids: readonly number[]): { bytes: number; count: number } {
  let bytes = 0;
  let count = 0;
  for (const pid of pids) {
    try {
      bytes += parseStatusMemory(readFileSync(`/proc/${pid}/status`, 'utf8')).rss;
      count++;
    } catch {
      // exited
    }
  }
  return { bytes, count };
}
