/**
 * Holdings charged to the source that brought them (an address prefix, sourceKey), for
 * admission with fair eviction wherever an unauthenticated sender can make us keep state
 * (natm's peer book, the rendezvous's sessions): who holds what, oldest first, and who
 * holds the most. A source at its quota makes room from its own oldest item; when all is
 * full, room is made from the source that holds the most, if it holds at least two more
 * than the newcomer's (max-min fairness: a flood from one source only ever displaces
 * itself once it is the largest; equal sources never churn each other).
 * Pure; every operation O(1) (amortised for `largest`).
 */
import { ipBytes, ipFromBytes } from './ip.ts';
export class FairShare {
  /** Source → its items, least recently added or touched first. */
  private readonly groups = new Map<string, Set<string>>();
  private readonly owner = new Map<string, string>();
  /** Group size → sources with that many items. */
  private readonly bySize = new Map<number, Set<string>>();
  private max = 0;

  get size(): number {
    return this.owner.size;
  }

  has(item: string): boolean {
    return this.owner.has(item);
  }

  count(source: string): number {
    return this.groups.get(source)?.size ?? 0;
  }

  sourceOf(item: string): string | undefined {
    return this.owner.get(item);
  }

  add(source: string, item: string): void {
    this.delete(item);
    const g = this.groups.get(source) ?? new Set<string>();
    this.groups.set(source, g);
    this.resize(source, g.size, g.size + 1);
    g.add(item);
    this.owner.set(item, source);
  }

  delete(item: string): boolean {
    const source = this.owner.get(item);
    if (source === undefined) return false;
    const g = this.groups.get(source)!;
    g.delete(item);
    this.owner.delete(item);
    this.resize(source, g.size + 1, g.size);
    if (g.size === 0) this.groups.delete(source);
    return true;
  }

  /** `item` is in use again: it becomes its source's newest. */
  touch(item: string): void {
    const g = this.groups.get(this.owner.get(item) ?? '');
    if (!g) return;
    g.delete(item);
    g.add(item);
  }

  /** The items of `source`, oldest first. */
  items(source: string): Iterable<string> {
    return this.groups.get(source) ?? [];
  }

  /** The oldest item of `source`. */
  oldest(source: string): string | undefined {
    return this.groups.get(source)?.values().next().value;
  }

  /** A source holding the most items (undefined when empty). */
  largest(): string | undefined {
    return this.bySize.get(this.max)?.values().next().value;
  }

  private resize(source: string, from: number, to: number): void {
    const old = this.bySize.get(from);
    old?.delete(source);
    if (old?.size === 0) this.bySize.delete(from);
    if (to > 0) {
      const s = this.bySize.get(to) ?? new Set<string>();
      this.bySize.set(to, s);
      s.add(source);
    }
    if (to > this.max) this.max = to;
    while (this.max > 0 && !this.bySize.has(this.max)) this.max--;
  }
}

/** The source an IPv4 address counts under: its first `prefixBits` bits ("a.b.c.d/p"). */
export function sourceKey(address: string, prefixBits: number, v6PrefixBits = V6_SOURCE_PREFIX): string {
  if (address.includes(':')) return v6Key(address, v6PrefixBits);
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || prefixBits >= 32) return address;
  const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const mask = prefixBits <= 0 ? 0 : (0xffffffff << (32 - prefixBits)) >>> 0;
  const m = (n & mask) >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${prefixBits}`;
}

/**
 * IPv6 sources are prefixes: a host commonly holds a whole /64 (SLAAC, privacy addresses),
 * so one address per source would let it count as 2^64 sources.
 */
export const V6_SOURCE_PREFIX = 64;

function v6Key(address: string, bits: number): string {
  const b = ipBytes(address);
  if (!b || b.length !== 16) return address;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] = b[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return `${ipFromBytes(out)}/${bits}`;
}
