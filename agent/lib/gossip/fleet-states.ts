/**
 * Fleet view records (node id, applied version per URI, current update, agent version, seq)
 * as last heard from each node. A record replaces an older one from the same node only if
 * its seq is higher; seq = max(previous + 1, now in ms), so it survives a restart.
 * Bounded: at most `max` nodes (a record from an unknown node beyond that is ignored).
 * Authenticity: records travel inside cluster-key AEAD datagrams (OverlayLink), so only
 * cluster members can write them; issue 8 adds per-node signatures.
 */
import type { StateRecord } from './messages.ts';

export class FleetStates {
  private readonly map = new Map<string, StateRecord>();
  overflow = 0;

  constructor(private readonly max: number) {}

  get(node: string): StateRecord | undefined {
    return this.map.get(node);
  }
  get size(): number {
    return this.map.size;
  }
  /** Returns true if `r` is new information (the caller re-broadcasts it). */
  apply(r: StateRecord): boolean {
    const old = this.map.get(r.node);
    if (old && old.seq >= r.seq) return false;
    if (!old && this.map.size >= this.max) {
      this.overflow++;
      return false;
    }
    this.map.set(r.node, r);
    return true;
  }
  delete(node: string): void {
    this.map.delete(node);
  }
  sample(k: number, random: () => number): StateRecord[] {
    const all = [...this.map.values()];
    const out: StateRecord[] = [];
    for (let i = 0; i < k && all.length > 0; i++)
      out.push(all.splice(Math.floor(random() * all.length), 1)[0]!);
    return out;
  }
}
