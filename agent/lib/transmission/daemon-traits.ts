/**
 * What differs between the transmission-daemon versions the manager drives (3.00 in
 * Debian 12, 4.1 in Debian 13), pure: read from `session-get` `version` and
 * `rpc-version` (16 in 3.00, 17 in 4.0, 18 in 4.1). Sources: the levers memo
 * (notes/transmission-levers.md §2, §3, §6), read from Transmission's 3.00 and 4.1.0 tags.
 */
export interface DaemonTraits {
  /** The daemon's own version string, e.g. "3.00 (bb6b5a062e)" or "4.1.0 (…)". */
  readonly version: string;
  readonly rpcVersion: number;
  /** 4.0+: `trackerList` in torrent-set; 3.00 only has trackerAdd/Remove/Replace. */
  readonly trackerList: boolean;
  /**
   * 3.00, 4.0 and 4.1 betas 1-2: after a torrent's first announce, `torrent-reannounce`
   * is ignored for the client's default min interval (120 s), whatever the tracker
   * answered; 4.1.0-beta.3 and later apply the tracker's `min interval` from the first
   * reply on (transmission #7493). Seconds, 0 = none.
   */
  readonly firstReannounceGateS: number;
  /** 3.00: changing the tracker list announces at once; 4.1 needs a reannounce after it (4.x: done always). */
  readonly editAnnounces: boolean;
  /**
   * 4.0+: a new torrent whose files are all there, full size and older than the add
   * (mtime, seconds) is taken as complete without a full hash pass (verify mode "fast").
   */
  readonly fastAdd: boolean;
  /**
   * 3.00: each rechoke pass with recent cancels shrinks how many peers we are interested
   * in, and frequent passes keep it from growing back: no forced rechokes near the end.
   */
  readonly cancelRateInterest: boolean;
  /**
   * 3.00: restarting a finished torrent (the manager's stop/start before its payload check)
   * helps the next hop: its peers reconnect with the whole bitfield (3.00 holds HAVEs up
   * to 10 s) and the start runs a rechoke pass. 4.x sends each HAVE at once and reconnects
   * a peer it just traded pieces with only after 5 s (peer-mgr.h `MinimumReconnectIntervalSecs`):
   * there the restart only costs. Both versions write a file out of their cache when it
   * completes (3.00 torrent.c `tr_torrentFileCompleted`, 4.1 `on_file_completed`).
   */
  readonly restartHelpsPeers: boolean;
}

/**
 * A comparable version: [major, minor, patch, release?, pre-release number], where a
 * pre-release ("4.1.0-beta.2") sorts before its release. [0, 0, 0, 0, 0] if unreadable.
 */
export function versionOf(version: string): [number, number, number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-[a-z]+\.?(\d+)?)?/i.exec(version.trim());
  if (!m) return [0, 0, 0, 0, 0];
  const pre = /^\d+\.\d+(?:\.\d+)?-/.test(version.trim());
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0), pre ? 0 : 1, Number(m[4] ?? 0)];
}

function atLeast(v: readonly number[], w: readonly number[]): boolean {
  for (let i = 0; i < w.length; i++) if (v[i] !== w[i]) return (v[i] ?? 0) > (w[i] ?? 0);
  return true;
}

/**
 * Debian 13 ships 4.1.0-beta.2: rpc-version 18 like 4.1.0, but without the reannounce
 * fix, which came with 4.1.0-beta.3 (transmission #7493). The version string decides;
 * rpc-version only where the string cannot be read.
 */
export function daemonTraits(version: string, rpcVersion: number): DaemonTraits {
  const v = versionOf(version);
  const known = v[0] > 0;
  const v4 = known ? v[0] >= 4 : rpcVersion >= 17;
  const gateFixed = known ? atLeast(v, [4, 1, 0, 0, 3]) : rpcVersion >= 18;
  return {
    version,
    rpcVersion,
    trackerList: v4,
    firstReannounceGateS: gateFixed ? 0 : 120,
    editAnnounces: !v4,
    fastAdd: v4,
    cancelRateInterest: !v4,
    restartHelpsPeers: !v4,
  };
}
