/**
 * A Clock for tests and simulations (STYLE.md rule 4): time moves only when the test calls
 * `advance`/`runUntil`. Timers sit in a binary heap ordered by (due time, creation order),
 * so a simulation with a million pending timers still costs O(log n) per timer.
 */
import type { Clock, Timer } from './clock.ts';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  every: number; // 0 = one-shot
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly heap: Entry[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.add(fn, Math.max(0, ms), 0);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.add(fn, Math.max(1, ms), Math.max(1, ms));
  }

  /** Number of timers still scheduled (cancelled ones excluded once they reach the top). */
  pending(): number {
    return this.heap.filter((e) => !e.cancelled).length;
  }

  /** Run every timer due up to now+ms, in order, then set the time to now+ms. */
  advance(ms: number): void {
    this.runTo(this.t + ms);
  }

  /** Advance in steps of `stepMs` until `done()` or `maxMs` passed; returns elapsed ms or -1. */
  runUntil(done: () => boolean, maxMs: number, stepMs = 50): number {
    const start = this.t;
    while (!done()) {
      if (this.t - start >= maxMs) return -1;
      this.advance(stepMs);
    }
    return this.t - start;
  }

  private runTo(end: number): void {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > end) break;
      this.pop();
      if (top.cancelled) continue;
      this.t = Math.max(this.t, top.at);
      if (top.every > 0) {
        top.at += top.every;
        top.seq = this.seq++;
        this.push(top);
      }
      top.fn();
    }
    this.t = Math.max(this.t, end);
  }

  private add(fn: () => void, ms: number, every: number): Timer {
    const e: Entry = { at: this.t + ms, seq: this.seq++, fn, every, cancelled: false };
    this.push(e);
    return { cancel: () => void (e.cancelled = true) };
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
