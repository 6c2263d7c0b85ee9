/**
 * Named counters (drops by reason, messages by type): the one place a natm or rendezvous
 * process counts what happens to it. `natm-stats` prints them; the Prometheus endpoint
 * reads them at each scrape (agent/lib/metrics/counter-view.ts). Keys come from code, never
 * from packets; still, at most `maxKeys` names are kept: a new name past that is counted
 * under OVERFLOW_KEY, so no input can grow the map.
 */
export const OVERFLOW_KEY = 'counters_overflow';

export class Counters {
  private readonly m = new Map<string, number>();

  constructor(private readonly maxKeys = 1024) {}

  inc(name: string, by = 1): void {
    const have = this.m.get(name);
    if (have === undefined && this.m.size >= this.maxKeys) name = OVERFLOW_KEY;
    this.m.set(name, (this.m.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.m.get(name) ?? 0;
  }

  /** Sum of every counter whose name starts with `prefix`. */
  sum(prefix: string): number {
    let s = 0;
    for (const [k, v] of this.m) if (k.startsWith(prefix)) s += v;
    return s;
  }

  /** Every counter, oldest name first (the order a bounded view keeps them in). */
  entries(): IterableIterator<[string, number]> {
    return this.m.entries();
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.m].sort(([a], [b]) => a.localeCompare(b)));
  }
}
