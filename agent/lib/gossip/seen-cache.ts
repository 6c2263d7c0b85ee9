/**
 * What we know about each notification id we have heard of (dedup by content hash).
 * Bounded LRU: at most `max` ids; the least recently touched is forgotten first (a
 * forgotten id can be fetched again later, which costs bandwidth but is never unsafe:
 * the manager re-verifies and the store keeps only the newest per URI).
 */
export type SeenState = 'fetching' | 'offered' | 'relayed' | 'refused';

export class SeenCache {
  private readonly map = new Map<string, SeenState>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }
  get(id: string): SeenState | undefined {
    return this.map.get(id);
  }
  set(id: string, state: SeenState): void {
    this.map.delete(id);
    this.map.set(id, state);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
  delete(id: string): void {
    this.map.delete(id);
  }
}
