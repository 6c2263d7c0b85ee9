/** Shared helpers for the simulated-network gossip tests (not a test file itself). */
import type { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';

export interface Spread {
  /** Simulated ms from publish until 99% / 100% of `among` hold the notification (-1: never). */
  t99: number;
  t100: number;
  rounds99: number;
  rounds100: number;
}

export function measureSpread(c: SimCluster, id: string, among: readonly string[], maxMs: number): Spread {
  const start = c.clock.now();
  const gossipMs = c.node(among[0]!).init.gossipIntervalMs;
  let t99 = -1;
  const t100 = c.runUntil(
    () => {
      const h = c.holders(id, among);
      if (t99 < 0 && h >= 0.99 * among.length) t99 = c.clock.now() - start;
      return h === among.length;
    },
    maxMs,
    gossipMs,
  );
  return { t99, t100, rounds99: Math.ceil(t99 / gossipMs), rounds100: Math.ceil(t100 / gossipMs) };
}

/** Reset per-node counters (network-level) so a phase can be measured on its own. */
export function resetCounters(c: SimCluster): void {
  for (const l of c.net.links.values()) l.sent = 0;
  for (const n of c.nodes.values()) for (const k of Object.keys(n.out.sent)) n.out.sent[k as 'ping'] = 0;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** Everyone in `among` sees every other node of `among` as alive. */
export function allAlive(c: SimCluster, among: readonly string[]): boolean {
  for (const a of among) {
    const t = c.node(a).membership.table;
    for (const b of among) if (a !== b && t.get(b)?.status !== 'alive') return false;
  }
  return true;
}
