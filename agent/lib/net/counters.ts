/** Named counters (drops by reason, messages by type). Keys come from code, never from packets. */
export class Counters {
  private readonly m = new Map<string, number>();

  inc(name: string, by = 1): void {
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

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.m].sort(([a], [b]) => a.localeCompare(b)));
  }
}
