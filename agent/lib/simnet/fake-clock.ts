/**
 * A Clock (agent/lib/common/clock.ts) that only moves when a test calls `advance`. Timers run
 * in due order (ties in creation order) from a binary heap, so 1,000-node runs stay fast.
 */
import type { Clock, Timer } from '../common/clock.ts';

interface Entry {
  due: number;
  seq: number;
  fn: () => void;
  every: number;
  live: boolean;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private heap: Entry[] = [];

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, 0);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** Number of live timers (tests assert 0 after stop()). */
  pending(): number {
    return this.heap.filter((e) => e.live).length;
  }

  /** Move time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.runNext(end));
    this.t = end;
  }

  /** Run the next live timer due by `until` (time moves to its due time); false when none. */
  runNext(until = Infinity): boolean {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.due > until) return false;
      this.pop();
      if (!top.live) continue;
      this.t = Math.max(this.t, top.due);
      if (top.every > 0) {
        top.due += top.every;
        top.seq = this.seq++;
        this.push(top);
      } else top.live = false;
      top.fn();
      return true;
    }
  }

  /**
   * Run timers one at a time until none is left (a packet-stepping run when the network's
   * delay is 0); throws when `maxSteps` were not enough (a packet storm, or an interval).
   */
  settle(maxSteps = 10_000, name = 'FakeClock'): void {
    for (let i = 0; i < maxSteps; i++) if (!this.runNext()) return;
    if (this.pending() > 0) throw new Error(`${name}: step bound reached`);
  }

  private add(fn: () => void, ms: number, every: number): Timer {
    const e: Entry = { due: this.t + Math.max(0, ms), seq: this.seq++, fn, every, live: true };
    this.push(e);
    return { cancel: () => void (e.live = false) };
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
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
