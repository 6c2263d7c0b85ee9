/**
 * How long the driver sleeps between two looks at a downloading torrent, pure (levers
 * memo §3, lever C). Completion is visible over RPC the moment the last piece is
 * checked; a 1 s poll finds it up to 1 s late. Near the end — the last `nearFraction`
 * of the file, or less left than `nearSeconds` at the current download rate — the
 * driver looks every `nearEndMs` instead. 0 turns this off.
 */
export interface PacePolicy {
  readonly pollMs: number;
  readonly nearEndMs: number;
}

export const NEAR_FRACTION = 0.05;
export const NEAR_SECONDS = 2;

export function pollDelay(
  t: { percentDone: number; leftUntilDone: number; rateDownload?: number },
  p: PacePolicy,
): number {
  if (p.nearEndMs <= 0 || p.nearEndMs >= p.pollMs) return p.pollMs;
  const rate = t.rateDownload ?? 0;
  const near = t.percentDone >= 1 - NEAR_FRACTION || (rate > 0 && t.leftUntilDone <= NEAR_SECONDS * rate);
  return near ? p.nearEndMs : p.pollMs;
}
