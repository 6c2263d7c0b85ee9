/**
 * How long the driver sleeps between two looks at a downloading torrent, pure (levers
 * memo §3, lever C). Completion is visible over RPC the moment the last piece is
 * checked; a 1 s poll finds it up to 1 s late. Near the end — the last `nearFraction`
 * of the file, or less left than `nearSeconds` at the current download rate — the
 * driver looks every `nearEndMs` instead. 0 turns this off. The rate is the daemon's or
 * the one seen since the last look, the higher: the daemon's is an average over the last
 * seconds, so right after a stall (a seeder's choke, a limit lifted) it lags far behind
 * and the end would come between two slow looks.
 */
export interface PacePolicy {
  readonly pollMs: number;
  readonly nearEndMs: number;
}

export const NEAR_FRACTION = 0.05;
export const NEAR_SECONDS = 2;

/** The previous look: bytes left then, and how long ago. */
export interface LastLook {
  readonly leftUntilDone: number;
  readonly ms: number;
}

export function pollDelay(
  t: { percentDone: number; leftUntilDone: number; rateDownload?: number },
  p: PacePolicy,
  last?: LastLook,
): number {
  if (p.nearEndMs <= 0 || p.nearEndMs >= p.pollMs) return p.pollMs;
  const seen = last && last.ms > 0 ? ((last.leftUntilDone - t.leftUntilDone) * 1000) / last.ms : 0;
  const rate = Math.max(t.rateDownload ?? 0, seen);
  const near = t.percentDone >= 1 - NEAR_FRACTION || (rate > 0 && t.leftUntilDone <= NEAR_SECONDS * rate);
  return near ? p.nearEndMs : p.pollMs;
}
