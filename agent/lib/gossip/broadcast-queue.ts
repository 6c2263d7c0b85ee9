/**
 * Transmit-limited broadcast queue (after memberlist's TransmitLimitedQueue). Each item is
 * sent at most `limit()` times, where limit = ceil(retransmitMult · log10(N + 1)) and N is
 * the number of live members; least-sent items go first (items are kept in one bucket per
 * transmit count, so `take` costs O(items returned + limit)). An item with the same key
 * replaces the older one (a newer member state, the newest announcement for a URI).
 * Bounded: at most `maxItems`; when full, the most-transmitted, oldest item is dropped.
 */
export interface Broadcast {
  readonly key: string;
  readonly bytes: Uint8Array;
  transmits: number;
}

/** Smallest item worth looking for once the packet is nearly full (a member update is ≥ 8 bytes). */
const MIN_ITEM = 16;

export function retransmitLimit(mult: number, n: number): number {
  return Math.max(1, Math.ceil(mult * Math.log10(n + 1)));
}

export class BroadcastQueue {
  private readonly items = new Map<string, Broadcast>();
  /** buckets[t]: items sent t times, oldest first. */
  private readonly buckets: Set<Broadcast>[] = [];
  dropped = 0;

  constructor(
    private readonly init: { maxItems: number; retransmitMult: number },
    private readonly liveMembers: () => number,
  ) {}

  get size(): number {
    return this.items.size;
  }

  limit(): number {
    return retransmitLimit(this.init.retransmitMult, this.liveMembers());
  }

  push(key: string, bytes: Uint8Array): void {
    const old = this.items.get(key);
    if (old) this.remove(old);
    if (this.items.size >= this.init.maxItems) this.evict();
    const b: Broadcast = { key, bytes, transmits: 0 };
    this.items.set(key, b);
    this.bucket(0).add(b);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  /** Items that fit in `budget` bytes, fewest transmits first; each counts one transmit. */
  take(budget: number, maxCount = 255): Uint8Array[] {
    if (this.items.size === 0 || budget <= 0) return [];
    const limit = this.limit();
    const out: Uint8Array[] = [];
    const moved: Broadcast[] = [];
    for (let t = 0; t < this.buckets.length && out.length < maxCount && budget >= MIN_ITEM; t++) {
      for (const b of this.buckets[t] ?? []) {
        if (out.length >= maxCount || budget < MIN_ITEM) break;
        if (b.bytes.length > budget) continue;
        budget -= b.bytes.length;
        out.push(b.bytes);
        moved.push(b);
      }
    }
    for (const b of moved) {
      this.buckets[b.transmits]!.delete(b);
      if (++b.transmits >= limit) this.items.delete(b.key);
      else this.bucket(b.transmits).add(b);
    }
    return out;
  }

  private bucket(t: number): Set<Broadcast> {
    while (this.buckets.length <= t) this.buckets.push(new Set());
    return this.buckets[t]!;
  }

  private remove(b: Broadcast): void {
    this.items.delete(b.key);
    this.buckets[b.transmits]?.delete(b);
  }

  private evict(): void {
    for (let t = this.buckets.length - 1; t >= 0; t--) {
      const oldest = this.buckets[t]!.values().next().value;
      if (oldest) {
        this.remove(oldest);
        this.dropped++;
        return;
      }
    }
  }
}
