/**
 * How far the fetcher trusts each holder it fetches from (issue 16 item 3). A holder that
 * stalls, stays below the rate bound, serves bytes that do not hash to the id, or hands
 * us a notification the manager refuses as forged gets a strike and sits out a penalty
 * of penaltyMs · 2^(strikes − 1), at most maxPenaltyMs; while penalized no fetch starts
 * from it. A notification it served that the manager verified takes one strike away (a
 * running penalty stays): the hash alone proves nothing, anyone can hash junk.
 * Bounded: at most MAX_STANDINGS holders remembered; beyond that the oldest one without
 * a running penalty is forgotten (or, if every one has one, the oldest).
 */
import type { Clock } from '../common/clock.ts';

export interface SourceBookInit {
  penaltyMs: number;
  maxPenaltyMs: number;
}

interface Standing {
  strikes: number;
  until: number;
}

export const MAX_STANDINGS = 4096;

export class SourceBook {
  private readonly map = new Map<string, Standing>();
  strikes = 0;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly init: SourceBookInit,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Strikes held against `peer` (0 when it never failed or was cleared). */
  strikesOf(peer: string): number {
    return this.map.get(peer)?.strikes ?? 0;
  }

  /** When `peer`'s penalty ends (ms), or 0 when it has none running. */
  penalizedUntil(peer: string): number {
    const until = this.map.get(peer)?.until ?? 0;
    return until > this.clock.now() ? until : 0;
  }

  /** One more strike: returns the penalty (ms) `peer` now sits out. */
  strike(peer: string): number {
    this.strikes++;
    const s = this.map.get(peer) ?? { strikes: 0, until: 0 };
    this.map.delete(peer); // re-insert: most recently struck last
    s.strikes = Math.min(s.strikes + 1, 32);
    const ms = Math.min(this.init.maxPenaltyMs, this.init.penaltyMs * 2 ** (s.strikes - 1));
    s.until = this.clock.now() + ms;
    this.map.set(peer, s);
    while (this.map.size > MAX_STANDINGS) this.map.delete(this.oldest());
    return ms;
  }

  /** `peer` served a notification the manager verified: one strike less. */
  forgive(peer: string): void {
    const s = this.map.get(peer);
    if (!s) return;
    s.strikes = Math.max(0, s.strikes - 1);
    if (s.strikes === 0 && s.until <= this.clock.now()) this.map.delete(peer);
  }

  private oldest(): string {
    const now = this.clock.now();
    for (const [peer, s] of this.map) if (s.until <= now) return peer;
    return this.map.keys().next().value!;
  }
}
