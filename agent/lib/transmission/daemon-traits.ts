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
   * 3.00 and 4.0: after a torrent's first announce, `torrent-reannounce` is ignored for
   * the client's default min interval (120 s), whatever the tracker answered; 4.1 applies
   * the tracker's `min interval` from the first reply on (transmission #7493). Seconds, 0 = none.
   */
  readonly firstReannounceGateS: number;
  /** 3.00 and 4.0: changing the tracker list announces at once; 4.1 needs a reannounce after it. */
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
}

/** major.minor of a version string ("3.00 (…)" → [3, 0]; "4.1.0" → [4, 1]); [0, 0] if unreadable. */
export function versionOf(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function daemonTraits(version: string, rpcVersion: number): DaemonTraits {
  const [major, minor] = versionOf(version);
  const v4 = major >= 4 || rpcVersion >= 17;
  const v41 = major > 4 || (major === 4 && minor >= 1) || rpcVersion >= 18;
  return {
    version,
    rpcVersion,
    trackerList: v4,
    firstReannounceGateS: v41 ? 0 : 120,
    editAnnounces: !v41,
    fastAdd: v4,
    cancelRateInterest: !v4,
  };
}
