/**
 * What one node's download looked like over time (pure): fed samples of its torrent
 * state, it yields the moments the report needs — first byte, 10/90/99 % verified,
 * done — and from them Transmission's fixed delays: the wait for the first byte
 * (connect, handshake, unchoke) and the last-piece stall (how much longer the last 1 %
 * took than the node's own steady rate predicts).
 */
export interface Sample {
  /** Seconds since publish. */
  readonly t: number;
  /** Raw bytes received so far (downloadedEver). */
  readonly downloaded: number;
  /** Verified bytes (haveValid). */
  readonly have: number;
  readonly size: number;
  readonly done: boolean;
}

export interface Milestones {
  readonly firstByteS: number | null;
  readonly p10S: number | null;
  readonly p90S: number | null;
  readonly p99S: number | null;
  readonly doneS: number | null;
  /** Bytes/s between 10 % and 90 % verified. */
  readonly steadyBps: number | null;
  /** (done − 99 %) minus what the last 1 % takes at the steady rate; ≥ 0. */
  readonly lastPieceStallS: number | null;
}

export class Timeline {
  private firstByte: number | null = null;
  private readonly at: Record<'p10' | 'p90' | 'p99' | 'done', number | null> = {
    p10: null,
    p90: null,
    p99: null,
    done: null,
  };
  private size = 0;

  observe(s: Sample): void {
    this.size = s.size || this.size;
    if (this.firstByte === null && (s.downloaded > 0 || s.have > 0)) this.firstByte = s.t;
    const frac = s.size > 0 ? s.have / s.size : 0;
    const mark = (k: 'p10' | 'p90' | 'p99' | 'done', hit: boolean) => {
      if (this.at[k] === null && hit) this.at[k] = s.t;
    };
    mark('p10', frac >= 0.1 || s.done);
    mark('p90', frac >= 0.9 || s.done);
    mark('p99', frac >= 0.99 || s.done);
    mark('done', s.done);
  }

  get done(): boolean {
    return this.at.done !== null;
  }

  milestones(): Milestones {
    const { p10, p90, p99, done } = this.at;
    const steadyBps = p10 !== null && p90 !== null && p90 > p10 ? (0.8 * this.size) / (p90 - p10) : null;
    const stall =
      p99 !== null && done !== null && steadyBps !== null
        ? Math.max(0, done - p99 - (0.01 * this.size) / steadyBps)
        : null;
    return {
      firstByteS: this.firstByte,
      p10S: p10,
      p90S: p90,
      p99S: p99,
      doneS: done,
      steadyBps,
      lastPieceStallS: stall,
    };
  }
}
