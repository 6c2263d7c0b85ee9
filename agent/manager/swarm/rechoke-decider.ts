/**
 * When to force a rechoke, pure (levers memo §1). Transmission decides whom to unchoke
 * and whom it is interested in only in its rechoke pass, every 10 s; a new peer waits
 * 0–10 s on each side before a byte flows. Starting a stopped torrent runs that pass for
 * every torrent (the tiny torrent, rechoke-pulser.ts). This decider looks at the
 * watched torrents' peers and asks for a pulse when a pass would change something:
 *  - a peer appeared;
 *  - a peer became interested in us while we choke it;
 *  - we download, and a peer that has more than we do is one we are not interested in.
 * Each is an edge (a peer newly in that set), so a peer that stays choked because every
 * upload slot is taken asks once, not forever. Pulses are spaced by `minGapMs`, bounded
 * per torrent by `maxPulses`, and (3.00) held back while a torrent of ours is between
 * `quietFrom` and done: 3.00 shrinks interest after recent cancels on each pass.
 */
import type { SwarmView } from '../../lib/transmission/swarm-view.ts';

export interface RechokePolicy {
  readonly minGapMs: number;
  readonly maxPulses: number;
  /** Fraction above which a downloading torrent of ours holds pulses back; 1 = never. */
  readonly quietFrom: number;
}

interface Seen {
  peers: Set<string>;
  unchoke: Set<string>;
  interest: Set<string>;
  pulses: number;
}

export type RechokeReason = 'new-peer' | 'wants-unchoke' | 'wants-interest';

export class RechokeDecider {
  private readonly seen = new Map<string, Seen>();
  private lastPulseAt = -Infinity;
  /** Why a pulse is owed, and for which torrents (cleared by a pulse). */
  private owed = new Map<string, RechokeReason>();
  pulses = 0;

  constructor(private readonly policy: RechokePolicy) {}

  /** One look at the watched torrents; returns the reason to pulse now, or null. */
  observe(views: readonly SwarmView[], now: number): { reason: RechokeReason; torrents: string[] } | null {
    let quiet = false;
    for (const v of views) {
      const s = this.state(v.hashString);
      const downloading = v.percentDone < 1;
      if (downloading && v.percentDone >= this.policy.quietFrom) quiet = true;
      const keys = new Set(v.peers.map((p) => p.key));
      const unchoke = new Set(v.peers.filter((p) => p.peerIsInterested && p.peerIsChoked).map((p) => p.key));
      const interest = new Set(
        downloading
          ? v.peers.filter((p) => !p.clientIsInterested && p.progress > v.percentDone).map((p) => p.key)
          : [],
      );
      const reason: RechokeReason | null = [...keys].some((k) => !s.peers.has(k))
        ? 'new-peer'
        : [...unchoke].some((k) => !s.unchoke.has(k))
          ? 'wants-unchoke'
          : [...interest].some((k) => !s.interest.has(k))
            ? 'wants-interest'
            : null;
      s.peers = keys;
      s.unchoke = unchoke;
      s.interest = interest;
      if (reason !== null && s.pulses < this.policy.maxPulses && !this.owed.has(v.hashString))
        this.owed.set(v.hashString, reason);
    }
    if (this.owed.size === 0 || quiet || now - this.lastPulseAt < this.policy.minGapMs) return null;
    const torrents = [...this.owed.keys()];
    const reason = [...this.owed.values()][0]!;
    for (const h of torrents) this.state(h).pulses++;
    this.owed = new Map();
    this.lastPulseAt = now;
    this.pulses++;
    return { reason, torrents };
  }

  /** Drops what was remembered of a torrent no longer watched. */
  forget(infoHash: string): void {
    this.seen.delete(infoHash);
    this.owed.delete(infoHash);
  }

  private state(h: string): Seen {
    let s = this.seen.get(h);
    if (!s) {
      s = { peers: new Set(), unchoke: new Set(), interest: new Set(), pulses: 0 };
      this.seen.set(h, s);
    }
    return s;
  }
}
