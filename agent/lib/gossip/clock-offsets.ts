/**
 * This node's clock against its authenticated peers (issue 19, clock skew). Pure: every
 * SWIM ack a member sends us carries its wall clock (`time`, ms); with the time we sent the
 * ping and the time the ack came, one sample is `peer clock − our clock at the midpoint`
 * (NTP's estimate; its error is at most half the round trip, and a round trip over
 * `maxRttMs` is not used). Each peer keeps only its latest sample and has one vote, so the
 * estimate is the median over peers: a peer lying about its time cannot move it alone.
 * `offsetMs` is our clock minus the peers' median (positive: we are ahead).
 * Bounded: `maxPeers` peers (the oldest sample goes first); samples older than `maxAgeMs`
 * are not counted. `skewed` needs at least `minPeers` peers and |offset| over `boundMs`.
 */
export interface ClockOffsetsInit {
  boundMs: number;
  maxPeers?: number;
  maxAgeMs?: number;
  maxRttMs?: number;
  minPeers?: number;
}

export interface ClockEstimate {
  /** Our clock minus the median of our peers' (ms); null without a sample. */
  readonly offsetMs: number | null;
  /** Peers with a current sample. */
  readonly peers: number;
  readonly skewed: boolean;
  readonly boundMs: number;
}

interface Sample {
  offset: number;
  at: number;
}

export class ClockOffsets {
  private readonly samples = new Map<string, Sample>();
  private readonly maxPeers: number;
  private readonly maxAgeMs: number;
  private readonly maxRttMs: number;
  private readonly minPeers: number;
  /** Samples not used: a round trip out of range, or a time that is not a plausible clock. */
  rejected = 0;

  constructor(private readonly init: ClockOffsetsInit) {
    this.maxPeers = init.maxPeers ?? 64;
    this.maxAgeMs = init.maxAgeMs ?? 10 * 60_000;
    this.maxRttMs = init.maxRttMs ?? 2000;
    this.minPeers = init.minPeers ?? 3;
  }

  /** An ack from `peer` stamped `peerTime`, for a ping we sent at `sentAt` and got back at `now`. */
  sample(peer: string, sentAt: number, peerTime: number, now: number): boolean {
    const rtt = now - sentAt;
    if (!Number.isSafeInteger(peerTime) || peerTime <= 0 || !(rtt >= 0 && rtt <= this.maxRttMs)) {
      this.rejected++;
      return false;
    }
    this.samples.delete(peer);
    this.samples.set(peer, { offset: peerTime - (sentAt + rtt / 2), at: now });
    while (this.samples.size > this.maxPeers) this.samples.delete(this.samples.keys().next().value!);
    return true;
  }

  /** `peer`'s clock minus ours (ms), from its latest current sample; null if none. */
  peer(id: string, now: number): number | null {
    const s = this.samples.get(id);
    return s && now - s.at <= this.maxAgeMs ? Math.round(s.offset) : null;
  }

  forget(id: string): void {
    this.samples.delete(id);
  }

  estimate(now: number): ClockEstimate {
    const offsets = [...this.samples.values()]
      .filter((s) => now - s.at <= this.maxAgeMs)
      .map((s) => s.offset)
      .sort((a, b) => a - b);
    const n = offsets.length;
    const boundMs = this.init.boundMs;
    if (n === 0) return { offsetMs: null, peers: 0, skewed: false, boundMs };
    const median = n % 2 ? offsets[(n - 1) / 2]! : (offsets[n / 2 - 1]! + offsets[n / 2]!) / 2;
    const offsetMs = Math.round(-median) || 0;
    return { offsetMs, peers: n, skewed: n >= this.minPeers && Math.abs(offsetMs) > boundMs, boundMs };
  }
}
