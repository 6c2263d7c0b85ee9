/**
 * Fetches announced notifications from their holders (pull on demand: only the ~60-byte
 * announcement is gossiped, the blob moves once per node), so that no slow or lying holder
 * can starve it (issue 16 item 3; docs/protocol/gossip.md §Fetch scheduling):
 * - an attempt fetches the whole blob from one holder (fetch-attempt.ts); it loses its slot
 *   when it stalls or falls below the rate bound, and bytes that do not hash to the id are
 *   blamed on that holder alone;
 * - a holder that failed is dropped from that fetch and penalized (source-book.ts); the id
 *   goes on with its next holder, the one with the fewest strikes first (rotation);
 * - slots: `maxActive` attempts at once, at most `maxActivePerSource` from one holder; a
 *   fetch whose holders are all busy or penalized waits in the queue without a slot;
 * - queue: at most `maxQueued` waiting, at most `maxJobsPerSource` naming one holder, at
 *   most `maxSources` holders per fetch; when full, a fetch whose holders are all
 *   penalized makes room;
 * - an announcement never cancels another fetch: only `supersede(uri, version)` (the
 *   manager verified and relayed uri@version) drops fetches of older versions of the URI.
 */
import type { Clock, Timer } from '../common/clock.ts';
import { Attempt, type AttemptInit } from './fetch-attempt.ts';
import type { DigestEntry } from './messages.ts';
import { SourceBook } from './source-book.ts';

export interface FetcherInit extends AttemptInit {
  maxActive: number;
  maxQueued: number;
  maxSources: number;
  maxActivePerSource: number;
  maxJobsPerSource: number;
  sourcePenaltyMs: number;
  maxSourcePenaltyMs: number;
}

export interface FetcherComponents {
  clock: Clock;
  requestChunk(peer: string, id: string, offset: number): void;
  complete(entry: DigestEntry, bytes: Uint8Array, from: string): void;
  abandon(id: string, reason: string): void;
}

interface Job {
  entry: DigestEntry;
  /** Holder → the size it announced (a lying size only fails that holder's attempt). */
  sources: Map<string, number>;
  attempt: Attempt | null;
}

export type FetchFailure = 'stalled' | 'slow' | 'hash-mismatch' | 'missing';

export class Fetcher {
  readonly book: SourceBook;
  private readonly jobs = new Map<string, Job>();
  private running = 0;
  private wake: Timer | null = null;
  private wakeAt = Infinity;
  dropped = 0;
  badChunks = 0;
  readonly failures: Record<FetchFailure | 'superseded' | 'evicted', number> = {
    stalled: 0,
    slow: 0,
    'hash-mismatch': 0,
    missing: 0,
    superseded: 0,
    evicted: 0,
  };

  constructor(
    private readonly c: FetcherComponents,
    private readonly init: FetcherInit,
  ) {
    this.book = new SourceBook(c.clock, {
      penaltyMs: init.sourcePenaltyMs,
      maxPenaltyMs: init.maxSourcePenaltyMs,
    });
  }

  get activeCount(): number {
    return this.running;
  }
  get queuedCount(): number {
    return this.jobs.size - this.running;
  }
  has(id: string): boolean {
    return this.jobs.has(id);
  }
  /** The holders an id is being fetched from (tests, stats). */
  sourcesOf(id: string): string[] {
    return [...(this.jobs.get(id)?.sources.keys() ?? [])];
  }
  /** The holder each running attempt fetches from. */
  attempts(): { id: string; source: string }[] {
    return [...this.jobs.values()].flatMap((j) =>
      j.attempt ? [{ id: j.entry.id, source: j.attempt.source }] : [],
    );
  }

  /** Fetch `entry` from `from`, or add `from` as one more holder of a fetch under way. */
  want(entry: DigestEntry, from: string): boolean {
    const job = this.jobs.get(entry.id);
    if (job) {
      this.addSource(job, from, entry.size);
      this.pump();
      return true;
    }
    if (
      this.load(from) >= this.init.maxJobsPerSource ||
      (this.queuedCount >= this.init.maxQueued && !this.evict())
    ) {
      this.dropped++;
      return false;
    }
    this.jobs.set(entry.id, { entry, sources: new Map([[from, entry.size]]), attempt: null });
    this.pump();
    return true;
  }

  onChunk(from: string, id: string, offset: number, total: number, missing: boolean, data: Uint8Array): void {
    const job = this.jobs.get(id);
    const a = job?.attempt;
    if (!job || !a || a.source !== from) return void this.badChunks++;
    if (missing) return this.fail(job, 'missing'); // the holder has nothing (it sends total 0)
    const r = a.chunk(offset, total, data);
    if (r === 'bad') return void this.badChunks++;
    if (r === 'more') return this.check(a);
    if (!a.hashMatches()) return this.fail(job, 'hash-mismatch');
    this.end(job);
    this.jobs.delete(id);
    this.c.complete({ ...job.entry, size: a.size }, a.buf, a.source);
    this.pump();
  }

  /** The manager verified and relayed uri@version: fetches of versions up to it are moot. */
  supersede(uri: string, version: number): void {
    for (const job of [...this.jobs.values()])
      if (job.entry.uri === uri && job.entry.version <= version) this.remove(job, 'superseded');
    this.pump();
  }

  /** The manager refused what `peer` served as forged: a strike. */
  strike(peer: string): void {
    this.book.strike(peer);
  }

  /** The manager verified what `peer` served: one strike less. */
  forgive(peer: string): void {
    this.book.forgive(peer);
  }

  stop(): void {
    for (const job of this.jobs.values()) job.attempt?.cancel();
    this.jobs.clear();
    this.running = 0;
    this.wake?.cancel();
    this.wake = null;
    this.wakeAt = Infinity;
  }

  private pump(): void {
    for (const job of this.jobs.values()) {
      if (this.running >= this.init.maxActive) break;
      const src = job.attempt ? null : this.pick(job);
      if (!src) continue;
      const lapsed = (a: Attempt) => this.check(a);
      const { clock, requestChunk } = this.c;
      job.attempt = new Attempt(
        { clock, requestChunk, lapsed },
        job.entry.id,
        src,
        job.sources.get(src)!,
        this.init,
      );
      this.running++;
    }
    this.armWake();
  }

  /** A usable holder (not penalized, under its slot limit) with the fewest strikes. */
  private pick(job: Job): string | null {
    let best: string | null = null;
    for (const peer of job.sources.keys()) {
      if (this.book.penalizedUntil(peer) || this.busy(peer) >= this.init.maxActivePerSource) continue;
      if (best === null || this.book.strikesOf(peer) < this.book.strikesOf(best)) best = peer;
    }
    return best;
  }

  private check(a: Attempt): void {
    const job = this.jobs.get(a.id);
    if (job?.attempt !== a) return;
    const failure = a.health(this.c.clock.now());
    if (failure) this.fail(job, failure);
  }

  /** The attempt failed: its holder leaves this fetch (penalized unless it just had nothing). */
  private fail(job: Job, reason: FetchFailure): void {
    const src = job.attempt!.source;
    this.end(job);
    this.failures[reason]++;
    if (reason !== 'missing') this.book.strike(src);
    job.sources.delete(src);
    if (job.sources.size === 0) this.remove(job, reason);
    this.pump();
  }

  private end(job: Job): void {
    if (!job.attempt) return;
    job.attempt.cancel();
    job.attempt = null;
    this.running--;
  }

  private remove(job: Job, reason: string): void {
    this.end(job);
    this.jobs.delete(job.entry.id);
    if (reason === 'superseded' || reason === 'evicted') this.failures[reason]++;
    this.c.abandon(job.entry.id, reason);
  }

  private addSource(job: Job, from: string, size: number): void {
    if (job.sources.has(from) || this.load(from) >= this.init.maxJobsPerSource) return;
    if (job.sources.size >= this.init.maxSources) {
      const out = [...job.sources.keys()].find(
        (p) => this.book.penalizedUntil(p) && job.attempt?.source !== p,
      );
      if (out === undefined) return;
      job.sources.delete(out);
    }
    job.sources.set(from, size);
  }

  /** Fetches (waiting or running) that name `peer` as a holder. */
  private load(peer: string): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.sources.has(peer)) n++;
    return n;
  }

  private busy(peer: string): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.attempt?.source === peer) n++;
    return n;
  }

  /** Queue full: drop one waiting fetch whose holders are all penalized. */
  private evict(): boolean {
    for (const job of this.jobs.values())
      if (!job.attempt && [...job.sources.keys()].every((p) => this.book.penalizedUntil(p))) {
        this.remove(job, 'evicted');
        return true;
      }
    return false;
  }

  /** Fetches that wait only for a penalty to end are looked at again when it ends. */
  private armWake(): void {
    let next = Infinity;
    for (const job of this.jobs.values())
      if (!job.attempt)
        for (const p of job.sources.keys()) {
          const until = this.book.penalizedUntil(p);
          if (until) next = Math.min(next, until);
        }
    if (next === this.wakeAt) return;
    this.wake?.cancel();
    this.wake = null;
    this.wakeAt = next;
    if (next === Infinity) return;
    this.wake = this.c.clock.setTimeout(() => {
      this.wake = null;
      this.wakeAt = Infinity;
      this.pump();
    }, next - this.c.clock.now());
  }
}
