/**
 * Stalled-download watchdog (docs/manager.md §Stalled downloads). Pure: the bytes still
 * missing and `now` in, a decision out.
 *
 * Why: Transmission backs a peer off for minutes after a failed connection. On a LAN
 * two nodes often learn of each other a moment before the other's daemon has the
 * torrent; the first handshake fails and the download then sits still although the
 * peer has every piece. Removing the torrent (keeping its data) and adding it again
 * gives the daemon a fresh peer list with no backoff; pieces already on disk are
 * re-checked, not fetched again.
 */
export interface StallMemo {
  /** leftUntilDone at the last change. */
  left: number;
  /** When `left` last changed (or the watch started), ms. */
  since: number;
  /** When the torrent was last re-added, ms; -Infinity when never. */
  lastRestart: number;
}

export function newStallMemo(now: number): StallMemo {
  return { left: Number.NaN, since: now, lastRestart: -Infinity };
}

/**
 * 'restart' when no byte arrived for `stallMs`, at most once per `stallMs`;
 * the memo is updated in place. `stallMs` 0 disables the watchdog.
 */
export function stallDecision(memo: StallMemo, left: number, now: number, stallMs: number): 'ok' | 'restart' {
  if (left !== memo.left) {
    memo.left = left;
    memo.since = now;
    return 'ok';
  }
  if (stallMs === 0 || now - memo.since < stallMs || now - memo.lastRestart < stallMs) return 'ok';
  memo.lastRestart = now;
  memo.since = now;
  return 'restart';
}
