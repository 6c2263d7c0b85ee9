/**
 * The report plane's transmit-limited queue: the broadcast queue's rules (broadcast-queue.ts,
 * after memberlist) for fixed-size items named by registry index — each item sent at most
 * `limit` times, fewest transmits first and newest first among equals, a newer record of the
 * same node replacing the older — with arrays and lazy deletion so 1,000 nodes stay fast.
 */
export class LeanQueue {
  /** buckets[t]: indices sent t times (newest at the end); stale entries are skipped. */
  private readonly buckets: number[][] = [];
  /** index → transmits so far, for queued indices only. */
  private readonly sent = new Map<number, number>();
  /** key (node) → its queued index. */
  private readonly byKey = new Map<string, number>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.sent.size;
  }

  push(key: string, index: number): void {
    const old = this.byKey.get(key);
    if (old !== undefined) this.sent.delete(old);
    this.byKey.set(key, index);
    this.sent.set(index, 0);
    this.bucket(0).push(index);
  }

  /** Up to `n` items, fewest transmits first; each counts one transmit. */
  take(n: number): number[] {
    const out: number[] = [];
    for (let t = 0; t < this.buckets.length && out.length < n; t++) {
      const b = this.buckets[t]!;
      while (b.length > 0 && out.length < n) {
        const i = b.pop()!;
        if (this.sent.get(i) === t && !out.includes(i)) out.push(i);
      }
    }
    for (const i of out) {
      const t = this.sent.get(i)! + 1;
      if (t >= this.limit) this.sent.delete(i);
      else {
        this.sent.set(i, t);
        this.bucket(t).push(i);
      }
    }
    return out;
  }

  private bucket(t: number): number[] {
    while (this.buckets.length <= t) this.buckets.push([]);
    return this.buckets[t]!;
  }
}
