/**
 * Who to list for which torrent, pure and bounded: static peers from config for every
 * torrent, plus per-infohash peers from natm (`peers` messages replace the set).
 */
import type { Peer } from './compact.ts';

export const PEER_LIMITS = { maxTorrents: 1024, maxPeersPerTorrent: 200 } as const;

export class PeerTable {
  private readonly byHash = new Map<string, readonly Peer[]>();

  constructor(private readonly staticPeers: readonly Peer[] = []) {}

  /** Replaces the overlay's peers for `infoHash`. Returns false if nothing changed. */
  set(infoHash: string, peers: readonly Peer[]): boolean {
    const next = dedupe(peers).slice(0, PEER_LIMITS.maxPeersPerTorrent);
    const prev = this.byHash.get(infoHash);
    if (prev !== undefined && key(prev) === key(next)) return false;
    this.byHash.delete(infoHash);
    if (next.length > 0) this.byHash.set(infoHash, next);
    while (this.byHash.size > PEER_LIMITS.maxTorrents) {
      const oldest = this.byHash.keys().next().value as string;
      this.byHash.delete(oldest);
    }
    return true;
  }

  /** Peers for an announce, minus the announcer itself (same port on a loopback address). */
  list(infoHash: string, self?: Peer): Peer[] {
    const all = dedupe([...(this.byHash.get(infoHash) ?? []), ...this.staticPeers]);
    return self === undefined ? all : all.filter((p) => !(p.port === self.port && p.ip === self.ip));
  }

  get size(): number {
    return this.byHash.size;
  }
}

function dedupe(peers: readonly Peer[]): Peer[] {
  const seen = new Set<string>();
  return peers.filter((p) => {
    const k = `${p.ip}:${p.port}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function key(peers: readonly Peer[]): string {
  return peers
    .map((p) => `${p.ip}:${p.port}`)
    .sort()
    .join(',');
}
