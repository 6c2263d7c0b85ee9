/**
 * What the node's tracker told its daemon per torrent, pure and bounded: how many
 * announces, when the first and the last came, and the interval and min interval of the
 * last reply. The manager reads it to know when Transmission will accept a reannounce
 * (agent/manager/swarm/announce-plan.ts).
 */
export interface AnnounceRecord {
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly intervalS: number;
  readonly minIntervalS: number;
}

export const ANNOUNCE_LOG_LIMIT = 1024;

export class AnnounceLog {
  private readonly byHash = new Map<string, AnnounceRecord>();

  record(infoHash: string, at: number, intervalS: number, minIntervalS: number): void {
    const prev = this.byHash.get(infoHash);
    this.byHash.delete(infoHash); // re-inserted last: the map's order is least recently announced first
    this.byHash.set(infoHash, {
      count: (prev?.count ?? 0) + 1,
      firstAt: prev?.firstAt ?? at,
      lastAt: at,
      intervalS,
      minIntervalS,
    });
    while (this.byHash.size > ANNOUNCE_LOG_LIMIT)
      this.byHash.delete(this.byHash.keys().next().value as string);
  }

  get(infoHash: string): AnnounceRecord | null {
    return this.byHash.get(infoHash) ?? null;
  }

  /** Forgets a torrent (removed and added again: the daemon starts its announces over). */
  forget(infoHash: string): void {
    this.byHash.delete(infoHash);
  }

  get size(): number {
    return this.byHash.size;
  }
}
