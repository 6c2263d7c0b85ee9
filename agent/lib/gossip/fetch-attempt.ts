/**
 * One try at fetching a notification from ONE holder (fetcher.ts picks the holder), so that
 * bytes which do not hash to the id are that holder's fault and nobody else's. A window of
 * chunk requests; one that times out is asked of the same holder again. The timeout adapts
 * to the measured round trip (srtt + 4·rttvar, RFC 6298; first tries only, as Karn),
 * between 100 ms and `chunkTimeoutMs`; before the holder's first chunk it is the node's
 * probe-based timeout (`firstRto`, from SWIM acks), else `chunkTimeoutMs`. A retry still
 * unanswered after half its timeout is asked once more (a hedge, at most 2 requests per
 * retry): on a lossy path the last chunk of a fetch otherwise waits out timeout after
 * doubled timeout (at 10 % loss a try fails 19 % of the time; the fleet's tail was made of
 * fetches whose one missing chunk was lost 3-4 times in a row, 2 s).
 * `health(now)` says when the attempt has lost its right to a fetch slot: no new chunk for
 * `stallTimeoutMs` ('stalled'), or fewer bytes than `minFetchRate` · (elapsed −
 * `fetchGraceMs`) ('slow'): a holder must start within the grace and keep the average rate.
 */
import { createHash } from 'node:crypto';
import type { Clock, Timer } from '../common/clock.ts';
import { CHUNK_SIZE } from './messages.ts';
import { RttEstimator } from './rtt.ts';

export interface AttemptInit {
  window: number;
  chunkTimeoutMs: number;
  stallTimeoutMs: number;
  fetchGraceMs: number;
  /** Bytes per second. */
  minFetchRate: number;
}

export interface AttemptComponents {
  clock: Clock;
  requestChunk(peer: string, id: string, offset: number): void;
  /** A chunk request timed out (the fetcher checks the attempt's health). */
  lapsed(a: Attempt): void;
  /** Timeout before this holder answered once (ms): from SWIM probe round trips. */
  firstRto?(): number;
}

interface Req {
  timer: Timer;
  /** A retry's second request, at half its timeout. */
  hedge: Timer | null;
  sentAt: number;
  retry: boolean;
}

/** Lower bound of the adaptive chunk timeout (ms). */
const MIN_RTO = 100;

export type AttemptFailure = 'stalled' | 'slow';

export class Attempt {
  readonly buf: Uint8Array;
  readonly started: number;
  private readonly done: Uint8Array;
  private readonly inflight = new Map<number, Req>();
  private received = 0;
  private next = 0;
  private lastProgress: number;
  private readonly rtt = new RttEstimator();
  /**
   * Doubles on a timeout (up to 8×, never above chunkTimeoutMs), reset by a chunk: RFC 6298
   * §5.5. RFC 6298 has one timer; here each of the window's requests has its own, and they
   * expire together when one loss burst hits a window: only a request sent at the current
   * backoff doubles it again (`backoffAt`), so one burst backs off once, not 8× at once.
   */
  private backoff = 1;
  private backoffAt = -Infinity;
  private cancelled = false;

  constructor(
    private readonly c: AttemptComponents,
    readonly id: string,
    readonly source: string,
    readonly size: number,
    private readonly init: AttemptInit,
  ) {
    this.buf = new Uint8Array(size);
    this.done = new Uint8Array(Math.ceil(size / CHUNK_SIZE));
    this.started = this.lastProgress = c.clock.now();
    this.fill();
  }

  /** A chunk from `source` at `offset`: 'bad' (not asked for, wrong size), 'more' or 'complete'. */
  chunk(offset: number, total: number, data: Uint8Array): 'bad' | 'more' | 'complete' {
    const idx = offset / CHUNK_SIZE;
    const req = this.inflight.get(idx);
    if (!req || total !== this.size || data.length !== Math.min(CHUNK_SIZE, total - offset)) return 'bad';
    const now = this.c.clock.now();
    req.timer.cancel();
    req.hedge?.cancel();
    this.inflight.delete(idx);
    if (!req.retry) this.rtt.sample(now - req.sentAt);
    this.backoff = 1;
    if (!this.done[idx]) {
      this.done[idx] = 1;
      this.buf.set(data, offset);
      this.received++;
      this.lastProgress = now;
    }
    if (this.received === this.done.length) return 'complete';
    this.fill();
    return 'more';
  }

  hashMatches(): boolean {
    return createHash('sha256').update(this.buf).digest('hex') === this.id;
  }

  health(now: number): AttemptFailure | null {
    if (now - this.lastProgress >= this.init.stallTimeoutMs) return 'stalled';
    const owed = ((now - this.started - this.init.fetchGraceMs) * this.init.minFetchRate) / 1000;
    return Math.min(this.received * CHUNK_SIZE, this.size) < owed ? 'slow' : null;
  }

  cancel(): void {
    this.cancelled = true;
    for (const r of this.inflight.values()) {
      r.timer.cancel();
      r.hedge?.cancel();
    }
    this.inflight.clear();
  }

  private fill(): void {
    while (this.inflight.size < this.init.window && this.next < this.done.length) {
      const idx = this.next++;
      if (!this.done[idx]) this.request(idx, false);
    }
  }

  private request(idx: number, retry: boolean): void {
    this.c.requestChunk(this.source, this.id, idx * CHUNK_SIZE);
    const { chunkTimeoutMs } = this.init;
    const first = Math.min(chunkTimeoutMs, Math.max(MIN_RTO, this.c.firstRto?.() ?? chunkTimeoutMs));
    const rto = Math.min(chunkTimeoutMs, this.backoff * this.rtt.rto(MIN_RTO, chunkTimeoutMs, first));
    const timer = this.c.clock.setTimeout(() => this.timeout(idx), rto);
    const hedge = !retry
      ? null
      : this.c.clock.setTimeout(() => {
          if (this.inflight.get(idx)?.timer === timer)
            this.c.requestChunk(this.source, this.id, idx * CHUNK_SIZE);
        }, rto / 2);
    this.inflight.set(idx, { timer, hedge, sentAt: this.c.clock.now(), retry });
  }

  private timeout(idx: number): void {
    const req = this.inflight.get(idx);
    if (!req || !this.inflight.delete(idx)) return;
    req.hedge?.cancel();
    if (req.sentAt >= this.backoffAt) {
      this.backoff = Math.min(8, this.backoff * 2);
      this.backoffAt = this.c.clock.now();
    }
    this.c.lapsed(this); // may cancel this attempt
    if (!this.cancelled) this.request(idx, true);
  }
}
