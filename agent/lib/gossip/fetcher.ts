/**
 * Fetches announced notifications from their holders in CHUNK_SIZE pieces (pull on demand:
 * only the ~60-byte announcement is gossiped, the blob moves once per node).
 * The chunk timeout adapts to the measured round trip (srtt + 4·rttvar, RFC 6298; first
 * tries only, as Karn), between 100 ms and `chunkTimeoutMs`.
 * Bounds: `maxActive` fetches at once, `maxQueued` waiting, `maxSources` holders per
 * fetch, `window` chunk requests in flight per fetch. A chunk request that times out is
 * re-sent to the next holder; a fetch with no progress for `stallTimeoutMs` is abandoned
 * (its id becomes fetchable again). The assembled bytes must hash to the id.
 */
import { createHash } from 'node:crypto';
import type { Clock, Timer } from '../common/clock.ts';
import { CHUNK_SIZE, type DigestEntry } from './messages.ts';

export interface FetcherInit {
  maxActive: number;
  maxQueued: number;
  maxSources: number;
  window: number;
  chunkTimeoutMs: number;
  stallTimeoutMs: number;
}

export interface FetcherComponents {
  clock: Clock;
  requestChunk(peer: string, id: string, offset: number): void;
  complete(entry: DigestEntry, bytes: Uint8Array, from: string): void;
  abandon(id: string, reason: string): void;
}

interface Job {
  entry: DigestEntry;
  sources: string[];
  src: number;
  buf: Uint8Array;
  done: Uint8Array;
  received: number;
  next: number;
  inflight: Map<number, Req>;
  lastProgress: number;
  /** Round-trip estimate (RFC 6298 style, ms; 0 = no sample yet). */
  srtt: number;
  rttvar: number;
}

interface Req {
  timer: Timer;
  sentAt: number;
  retry: boolean;
}

/** Lower bound of the adaptive chunk timeout (ms). */
const MIN_RTO = 100;

export class Fetcher {
  private readonly active = new Map<string, Job>();
  private readonly queued = new Map<string, Job>();
  dropped = 0;
  badChunks = 0;

  constructor(
    private readonly c: FetcherComponents,
    private readonly init: FetcherInit,
  ) {}

  get activeCount(): number {
    return this.active.size;
  }
  get queuedCount(): number {
    return this.queued.size;
  }
  has(id: string): boolean {
    return this.active.has(id) || this.queued.has(id);
  }

  /** Fetch `entry` from `from` (or add `from` as one more holder of a fetch under way). */
  want(entry: DigestEntry, from: string): boolean {
    const job = this.active.get(entry.id) ?? this.queued.get(entry.id);
    if (job) {
      if (!job.sources.includes(from) && job.sources.length < this.init.maxSources) job.sources.push(from);
      return true;
    }
    for (const q of this.queued.values())
      if (q.entry.uri === entry.uri && q.entry.version <= entry.version) this.drop(q.entry.id, 'superseded');
    if (this.queued.size >= this.init.maxQueued) {
      this.dropped++;
      return false;
    }
    const n = Math.ceil(entry.size / CHUNK_SIZE);
    this.queued.set(entry.id, {
      entry,
      sources: [from],
      src: 0,
      buf: new Uint8Array(0),
      done: new Uint8Array(n),
      received: 0,
      next: 0,
      inflight: new Map(),
      srtt: 0,
      rttvar: 0,
      lastProgress: this.c.clock.now(),
    });
    this.pump();
    return true;
  }

  onChunk(from: string, id: string, offset: number, total: number, missing: boolean, data: Uint8Array): void {
    const job = this.active.get(id);
    const idx = offset / CHUNK_SIZE;
    if (!job || !job.inflight.has(idx)) return void this.badChunks++;
    if (missing) {
      // The holder has nothing (it sends total 0): stop asking it.
      job.sources = job.sources.filter((s) => s !== from);
      if (job.sources.length === 0) return this.drop(id, 'no-holder');
      job.src %= job.sources.length;
      return this.resend(job, idx);
    }
    if (total !== job.entry.size || data.length !== Math.min(CHUNK_SIZE, total - offset))
      return void this.badChunks++;
    const req = job.inflight.get(idx)!;
    req.timer.cancel();
    job.inflight.delete(idx);
    if (!req.retry) sampleRtt(job, this.c.clock.now() - req.sentAt); // Karn: first tries only
    if (!job.done[idx]) {
      job.done[idx] = 1;
      job.buf.set(data, offset);
      job.received++;
      job.lastProgress = this.c.clock.now();
    }
    if (job.received === job.done.length) return this.finish(job, from);
    this.fill(job);
  }

  stop(): void {
    this.queued.clear(); // first, so that dropping the active ones starts nothing new
    for (const id of [...this.active.keys()]) this.drop(id, 'stopped', false);
  }

  private pump(): void {
    while (this.active.size < this.init.maxActive && this.queued.size > 0) {
      const job = this.queued.values().next().value!;
      this.queued.delete(job.entry.id);
      job.buf = new Uint8Array(job.entry.size);
      job.lastProgress = this.c.clock.now();
      this.active.set(job.entry.id, job);
      this.fill(job);
    }
  }

  private fill(job: Job): void {
    while (job.inflight.size < this.init.window && job.next < job.done.length) {
      const idx = job.next++;
      if (!job.done[idx]) this.request(job, idx);
    }
    // Re-request chunks whose earlier request was answered "missing" or lost with the job.
  }

  private request(job: Job, idx: number, retry = false): void {
    const peer = job.sources[job.src % job.sources.length]!;
    job.src = (job.src + 1) % job.sources.length;
    this.c.requestChunk(peer, job.entry.id, idx * CHUNK_SIZE);
    const rto =
      job.srtt > 0
        ? Math.min(this.init.chunkTimeoutMs, Math.max(MIN_RTO, job.srtt + 4 * job.rttvar))
        : this.init.chunkTimeoutMs;
    const timer = this.c.clock.setTimeout(() => this.timeout(job, idx), rto);
    job.inflight.set(idx, { timer, sentAt: this.c.clock.now(), retry });
  }

  private resend(job: Job, idx: number): void {
    job.inflight.get(idx)?.timer.cancel();
    this.request(job, idx, true);
  }

  private timeout(job: Job, idx: number): void {
    if (this.active.get(job.entry.id) !== job || !job.inflight.has(idx)) return;
    if (this.c.clock.now() - job.lastProgress >= this.init.stallTimeoutMs)
      return this.drop(job.entry.id, 'stalled');
    this.resend(job, idx);
  }

  private finish(job: Job, from: string): void {
    this.active.delete(job.entry.id);
    const hash = createHash('sha256').update(job.buf).digest('hex');
    if (hash !== job.entry.id) this.c.abandon(job.entry.id, 'hash-mismatch');
    else this.c.complete(job.entry, job.buf, from);
    this.pump();
  }

  private drop(id: string, reason: string, notify = true): void {
    const job = this.active.get(id) ?? this.queued.get(id);
    if (!job) return;
    for (const r of job.inflight.values()) r.timer.cancel();
    this.active.delete(id);
    this.queued.delete(id);
    if (notify) this.c.abandon(id, reason);
    this.pump();
  }
}

function sampleRtt(job: Job, rtt: number): void {
  if (job.srtt === 0) {
    job.srtt = rtt;
    job.rttvar = rtt / 2;
  } else {
    job.rttvar = 0.75 * job.rttvar + 0.25 * Math.abs(job.srtt - rtt);
    job.srtt = 0.875 * job.srtt + 0.125 * rtt;
  }
}
