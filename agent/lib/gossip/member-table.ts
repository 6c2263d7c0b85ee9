/**
 * SWIM membership state (pure; no timers). Applies member updates by the SWIM/memberlist
 * rules: a higher incarnation wins; at equal incarnation dead > suspect > alive; only the
 * node itself may refute (bump its incarnation). Dead members stay in the table for
 * `deadRetentionMs` so stale "alive" gossip at an old incarnation cannot re-add them.
 * Bounded: at most `maxMembers` entries (new ids beyond that are ignored and counted).
 *
 * Incarnation bounds (docs/protocol/gossip.md §Incarnation bounds): incarnations are safe
 * integers (u53 on the wire) and never wrap. Below INCARNATION_FREE any claim counts, as in
 * plain SWIM. Above it, a claim heard from a third party ("hearsay") counts only if it is at
 * most `maxIncarnationStep` above what the node itself last claimed to us (`proven`); a node
 * refutes only claims within that step of its own incarnation. So a forged claim moves an
 * incarnation at most one step, and only the node itself speaks beyond it.
 */
import type { MemberStatus } from './messages.ts';

/** Below this, incarnations behave as in plain SWIM (the old u32 range). */
export const INCARNATION_FREE = 2 ** 32;
/** The largest incarnation (wire u53); a node never needs to refute beyond it. */
export const MAX_INCARNATION = Number.MAX_SAFE_INTEGER;

export interface Member {
  readonly id: string;
  incarnation: number;
  status: MemberStatus;
  /** When the status last changed (ms). */
  since: number;
  /** Last packet received directly from this node (ms, 0 = never). */
  lastSeen: number;
  /** Last time we told this node how we see it (rate limit for direct refutation hints). */
  toldAt: number;
  /** The highest incarnation this node claimed itself, in a packet from it (0 = none). */
  proven: number;
}

/**
 * What applying an update did: `changed` → re-broadcast it; `refute` → we bumped ourselves;
 * `unproven` → a third party's claim beyond the incarnation bound, not believed.
 */
export type Outcome = 'changed' | 'ignored' | 'refute' | 'unproven';

export interface MemberTableInit {
  maxMembers: number;
  deadRetentionMs: number;
  /** How far above a node's own claim a third party's claim about it may be (default 64). */
  maxIncarnationStep?: number;
}

const RANK: Record<MemberStatus, number> = { alive: 0, suspect: 1, dead: 2 };

export class MemberTable {
  private readonly map = new Map<string, Member>();
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  incarnation = 0;
  overflow = 0;
  private dead = 0;

  constructor(
    readonly selfId: string,
    private readonly init: MemberTableInit,
  ) {}

  /** The highest incarnation believed on hearsay about a node that itself claimed `proven`. */
  ceiling(proven: number): number {
    const step = this.init.maxIncarnationStep ?? 64;
    return Math.min(Math.max(proven + step, INCARNATION_FREE), MAX_INCARNATION - 1);
  }

  get(id: string): Member | undefined {
    return this.map.get(id);
  }
  get size(): number {
    return this.map.size;
  }
  all(): IterableIterator<Member> {
    return this.map.values();
  }
  /** Alive + suspect members: the ones we probe and count for retransmit limits. */
  live(): number {
    return this.map.size - this.dead;
  }

  /**
   * Apply "id is status at incarnation", heard `from` that node (undefined: our own decision,
   * made at an incarnation we already hold).
   */
  apply(id: string, status: MemberStatus, inc: number, now: number, from?: string): Outcome {
    if (!Number.isSafeInteger(inc) || inc < 0) return 'ignored';
    if (id === this.selfId) {
      if (status === 'alive' || inc < this.incarnation) return 'ignored';
      if (inc > this.ceiling(this.incarnation)) return 'unproven'; // nobody believes it either
      this.incarnation = inc + 1;
      return 'refute';
    }
    const m = this.map.get(id);
    const direct = from === id;
    if (from !== undefined && !direct && inc > this.ceiling(m?.proven ?? 0)) return 'unproven';
    if (m && direct) m.proven = Math.max(m.proven, inc);
    if (!m) {
      if (status === 'dead') return 'ignored'; // unknown and dead: nothing to remember
      if (!this.add(id, status, inc, now)) return 'ignored';
      if (direct) this.map.get(id)!.proven = inc;
      return 'changed';
    }
    if (inc < m.incarnation) return 'ignored';
    if (inc === m.incarnation && RANK[status] <= RANK[m.status]) return 'ignored';
    if (status === 'alive' && inc === m.incarnation) return 'ignored';
    if (m.status !== status) m.since = now;
    this.dead += (status === 'dead' ? 1 : 0) - (m.status === 'dead' ? 1 : 0);
    m.status = status;
    m.incarnation = inc;
    return 'changed';
  }

  /** A peer the transport knows a path to: add as alive at incarnation 0 if unknown. */
  addKnown(id: string, now: number): boolean {
    if (id === this.selfId || this.map.has(id)) return false;
    return this.add(id, 'alive', 0, now);
  }

  /** Up to k distinct members with `status`, sampled at random; O(k) expected. */
  sample(k: number, random: () => number, status: MemberStatus | 'live', exclude?: string): Member[] {
    const out: Member[] = [];
    const n = this.ids.length;
    if (n === 0 || k <= 0) return out;
    const ok = (m: Member) =>
      m.id !== exclude && (status === 'live' ? m.status !== 'dead' : m.status === status) && !out.includes(m);
    for (let tries = 0; tries < 4 * k + 8 && out.length < k; tries++) {
      const m = this.map.get(this.ids[Math.floor(random() * n)]!)!;
      if (ok(m)) out.push(m);
    }
    if (out.length < k) {
      // Sparse case: scan from a random start so the choice stays unbiased enough.
      const start = Math.floor(random() * n);
      for (let i = 0; i < n && out.length < k; i++) {
        const m = this.map.get(this.ids[(start + i) % n]!)!;
        if (ok(m)) out.push(m);
      }
    }
    return out;
  }

  /** Forget dead members older than deadRetentionMs; returns how many were removed. */
  prune(now: number): number {
    let removed = 0;
    for (const m of [...this.map.values()]) {
      if (m.status === 'dead' && now - m.since >= this.init.deadRetentionMs) {
        this.remove(m.id);
        removed++;
      }
    }
    return removed;
  }

  /** Snapshot of ids (for shuffled probe rounds). */
  idList(): string[] {
    return this.ids.slice();
  }

  private add(id: string, status: MemberStatus, inc: number, now: number): boolean {
    if (this.map.size >= this.init.maxMembers) {
      this.overflow++;
      return false;
    }
    this.map.set(id, { id, incarnation: inc, status, since: now, lastSeen: 0, toldAt: 0, proven: 0 });
    this.index.set(id, this.ids.length);
    this.ids.push(id);
    return true;
  }

  private remove(id: string): void {
    const i = this.index.get(id);
    if (i === undefined) return;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(id);
    if (this.map.get(id)?.status === 'dead') this.dead--;
    this.map.delete(id);
  }
}
