/**
 * The origin stops re-sending what the swarm already has, pure (issue 17 item 2; levers
 * memo §4). Once every piece is held by some other peer, the origin's upload for that
 * torrent is limited to a trickle; when a peer that wants data from us stops making
 * progress (the swarm no longer has what it needs), the limit is lifted. What the origin
 * can observe over RPC, on both 3.00 and 4.1 (4.1's `availability` is all -1 on a seed):
 *  - exact, but late: a connected peer at progress 1 ("complete-peer"). Seeds drop their
 *    connections to each other, so such a peer is seen briefly: the fact is remembered
 *    until the limit is lifted;
 *  - an estimate ("estimate"): that, or the origin has uploaded `uploadFactor`·F and the
 *    peers' progress adds up to `sumFactor` (necessary for full coverage, not sufficient:
 *    3.00's peer progress lags up to 10 s behind, and pieces may be duplicated).
 * The limit is a trickle, never 0: 3.00 clamps protocol messages with it too.
 */
import type { SwarmView } from '../../lib/transmission/swarm-view.ts';

export interface ShapePolicy {
  readonly rule: 'complete-peer' | 'estimate';
  readonly uploadFactor: number;
  readonly sumFactor: number;
  /** A peer interested in us whose progress has not moved for this long is starving. */
  readonly starveMs: number;
  /** No change of a torrent's limit within this long of the last one. */
  readonly holdMs: number;
}

export type ShapeAction = 'limit' | 'lift';

interface TorrentMemo {
  covered: boolean;
  limited: boolean;
  changedAt: number;
  /** Peer → [progress, since when]. */
  progress: Map<string, [number, number]>;
}

export function estimateCovers(v: SwarmView, p: ShapePolicy): boolean {
  const sum = v.peers.reduce((a, x) => a + x.progress, 0);
  return p.rule === 'estimate' && v.uploadedEver >= p.uploadFactor * v.sizeWhenDone && sum >= p.sumFactor;
}

export class OriginShaper {
  private readonly memo = new Map<string, TorrentMemo>();

  constructor(private readonly policy: ShapePolicy) {}

  /** What to do with the origin's torrent `v` now (null: nothing). */
  decide(v: SwarmView, now: number): ShapeAction | null {
    if (v.percentDone < 1) return null;
    const m = this.state(v.hashString, now);
    if (v.peers.some((x) => x.progress >= 1) || estimateCovers(v, this.policy)) m.covered = true;
    const starving = this.starving(m, v, now);
    if (now - m.changedAt < this.policy.holdMs) return null;
    if (!m.limited && m.covered && !starving && !v.uploadLimited) return this.mark(m, now, 'limit');
    if (m.limited && starving) return this.mark(m, now, 'lift');
    return null;
  }

  private starving(m: TorrentMemo, v: SwarmView, now: number): boolean {
    const seen = new Map<string, [number, number]>();
    let starving = false;
    for (const p of v.peers) {
      const prev = m.progress.get(p.key);
      const since = prev !== undefined && prev[0] === p.progress ? prev[1] : now;
      seen.set(p.key, [p.progress, since]);
      if (p.progress < 1 && p.peerIsInterested && now - since >= this.policy.starveMs) starving = true;
    }
    m.progress = seen;
    return starving;
  }

  private mark(m: TorrentMemo, now: number, a: ShapeAction): ShapeAction {
    m.changedAt = now;
    m.limited = a === 'limit';
    if (a === 'lift') m.covered = false;
    return a;
  }

  private state(h: string, now: number): TorrentMemo {
    let m = this.memo.get(h);
    if (!m) {
      m = { covered: false, limited: false, changedAt: now - this.policy.holdMs, progress: new Map() };
      this.memo.set(h, m);
    }
    return m;
  }

  /** Forgets a torrent; true when its upload was limited by us (the caller lifts it). */
  forget(infoHash: string): boolean {
    const limited = this.memo.get(infoHash)?.limited === true;
    this.memo.delete(infoHash);
    return limited;
  }
}
