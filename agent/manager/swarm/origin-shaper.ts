/**
 * The origin stops re-sending what the swarm already has, pure (issue 17 item 2; levers
 * memo §4). What the origin can observe over RPC, on both 3.00 and 4.1 (4.1's
 * `availability` is all -1 on a seed):
 *  - exact, but late: a connected peer at progress 1. Seeds drop their connections to
 *    each other, so such a peer is seen briefly: the fact is remembered until the limit
 *    is lifted. Then the upload is cut to a trickle (`limitKBps`, never 0: 3.00 clamps
 *    protocol messages with it too);
 *  - an estimate (rule "estimate"): the origin has uploaded `uploadFactor`·F and the
 *    peers' progress adds up to `sumFactor` — necessary for full coverage, not
 *    sufficient (3.00's peer progress lags up to 10 s behind; pieces may be duplicated).
 *    Then the upload is cut to `estimateFraction` of the fastest upload rate seen, so a
 *    piece only the origin still has keeps flowing.
 * A peer that wants data from us and makes no progress for `starveMs` lifts the limit
 * (the swarm no longer has what it needs). No change within `holdMs` of the last one.
 */
import type { SwarmView } from '../../lib/transmission/swarm-view.ts';

export interface ShapePolicy {
  readonly rule: 'complete-peer' | 'estimate';
  readonly limitKBps: number;
  readonly uploadFactor: number;
  readonly sumFactor: number;
  readonly estimateFraction: number;
  /** A peer interested in us whose progress has not moved for this long is starving. */
  readonly starveMs: number;
  readonly holdMs: number;
}

export type ShapeAction = { readonly action: 'limit'; readonly kBps: number } | { readonly action: 'lift' };

interface TorrentMemo {
  /** null: not covered; 'exact': a complete peer was seen; 'estimate'. */
  covered: 'exact' | 'estimate' | null;
  /** The level of our limit now. */
  limited: 'exact' | 'estimate' | null;
  changedAt: number;
  peakBps: number;
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
    if (m.limited === null) m.peakBps = Math.max(m.peakBps, v.rateUpload);
    if (v.peers.some((x) => x.progress >= 1)) m.covered = 'exact';
    else if (m.covered === null && estimateCovers(v, this.policy)) m.covered = 'estimate';
    const starving = this.starving(m, v, now);
    if (now - m.changedAt < this.policy.holdMs) return null;
    if (m.limited !== null && starving) return this.mark(m, now, null);
    if (starving || m.covered === null || m.limited === 'exact') return null;
    if (m.limited === null && v.uploadLimited) return null; // someone else's limit: left alone
    if (m.covered === m.limited) return null;
    return this.mark(m, now, m.covered);
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

  private mark(m: TorrentMemo, now: number, level: 'exact' | 'estimate' | null): ShapeAction {
    m.changedAt = now;
    m.limited = level;
    if (level === null) {
      m.covered = null;
      return { action: 'lift' };
    }
    const p = this.policy;
    const kBps =
      level === 'exact'
        ? p.limitKBps
        : Math.max(p.limitKBps, Math.round((p.estimateFraction * m.peakBps) / 1000));
    return { action: 'limit', kBps };
  }

  private state(h: string, now: number): TorrentMemo {
    let m = this.memo.get(h);
    if (!m) {
      m = {
        covered: null,
        limited: null,
        changedAt: now - this.policy.holdMs,
        peakBps: 0,
        progress: new Map(),
      };
      this.memo.set(h, m);
    }
    return m;
  }

  /** Forgets a torrent; true when its upload was limited by us (the caller lifts it). */
  forget(infoHash: string): boolean {
    const limited = this.memo.get(infoHash)?.limited != null;
    this.memo.delete(infoHash);
    return limited;
  }
}
