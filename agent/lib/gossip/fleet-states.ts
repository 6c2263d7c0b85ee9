/**
 * Fleet view records (node id, applied version per URI, current update, agent version,
 * BitTorrent port and haves, seq) as last heard from each node, and whether each is signed
 * by the node it describes (`isSignedBy`: the fact rollout gates and BitTorrent peers use).
 * A record from another node counts only if, in this order (each refusal counted):
 *   1. its seq (the publisher's clock, ms) is within [now − maxAgeMs, now + maxAheadMs] of
 *      ours (`stale`, `ahead`), so no record can pin a node beyond maxAheadMs of our time;
 *   2. it is newer than the record held (else ignored: old news, not counted);
 *   3. with a RecordAuth (certificates), it is signed by its node (`unsigned`, `badSignature`);
 *   4. there is room: at most `max` records; when full, one about a node that is not a
 *      member makes room (`overflow` when there is none).
 * Held records older than maxAgeMs are dropped by `prune` (nodes re-publish every
 * stateRefreshMs). Without a RecordAuth (cluster-key mode) records are unsigned.
 */
import type { Clock } from '../common/clock.ts';
import { stateBytes } from './codec-state.ts';
import type { RecordSig, StateItem, StateRecord } from './messages.ts';
import type { RecordAuth } from './record-auth.ts';

export interface FleetEntry {
  readonly record: StateRecord;
  readonly sig: RecordSig | null;
  /** The node whose signature was checked (always `record.node`), or null: unsigned. */
  readonly signedBy: string | null;
}

export interface FleetInit {
  max: number;
  maxAheadMs: number;
  maxAgeMs: number;
}

export interface FleetComponents {
  clock: Pick<Clock, 'now'>;
  auth?: RecordAuth;
  isMember(node: string): boolean;
}

type Refusal = 'ahead' | 'stale' | 'unsigned' | 'badSignature' | 'overflow';

export class FleetStates {
  private readonly map = new Map<string, FleetEntry>();
  readonly counters: Record<Refusal, number> = {
    ahead: 0,
    stale: 0,
    unsigned: 0,
    badSignature: 0,
    overflow: 0,
  };

  constructor(
    private readonly c: FleetComponents,
    private readonly init: FleetInit,
  ) {}

  get(node: string): StateRecord | undefined {
    return this.map.get(node)?.record;
  }
  entry(node: string): FleetEntry | undefined {
    return this.map.get(node);
  }
  /** The record held about `node` is signed by `node` itself (never true without certificates). */
  isSignedBy(node: string): boolean {
    return this.map.get(node)?.signedBy === node;
  }
  get size(): number {
    return this.map.size;
  }

  /** A record heard from another node; true if it counts (new: the caller re-broadcasts it). */
  accept(item: StateItem): boolean {
    const r = item.record;
    const now = this.c.clock.now();
    if (r.seq > now + this.init.maxAheadMs) return this.refuse('ahead');
    if (r.seq < now - this.init.maxAgeMs) return this.refuse('stale');
    const old = this.map.get(r.node);
    if (old && old.record.seq >= r.seq) return false;
    const auth = this.c.auth;
    if (auth && !item.sig) return this.refuse('unsigned');
    if (auth && !auth.verify(r.node, stateBytes(r), item.sig!)) return this.refuse('badSignature');
    if (!old && this.map.size >= this.init.max && !this.evict()) return this.refuse('overflow');
    this.map.set(r.node, { record: r, sig: auth ? item.sig : null, signedBy: auth ? r.node : null });
    return true;
  }

  /** This node's own record, signed by it (`sig`) when it has a certificate. */
  own(record: StateRecord, sig: RecordSig | null): void {
    this.map.set(record.node, { record, sig, signedBy: sig ? record.node : null });
  }

  delete(node: string): void {
    this.map.delete(node);
  }

  /** Forget records older than maxAgeMs (their nodes stopped re-publishing). */
  prune(): void {
    const oldest = this.c.clock.now() - this.init.maxAgeMs;
    for (const [node, e] of this.map) if (e.record.seq < oldest) this.map.delete(node);
  }

  /** Up to `k` records at random, as items to pass on (with their signatures). */
  sample(k: number, random: () => number): StateItem[] {
    const all = [...this.map.values()];
    const out: StateItem[] = [];
    for (let i = 0; i < k && all.length > 0; i++) {
      const e = all.splice(Math.floor(random() * all.length), 1)[0]!;
      out.push({ kind: 'state', record: e.record, sig: e.sig });
    }
    return out;
  }

  private evict(): boolean {
    for (const node of this.map.keys())
      if (!this.c.isMember(node)) {
        this.map.delete(node);
        return true;
      }
    return false;
  }

  private refuse(why: Refusal): false {
    this.counters[why]++;
    return false;
  }
}
