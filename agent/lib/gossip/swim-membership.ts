/**
 * SWIM membership (SwimMembership): applies member updates to the MemberTable, re-broadcasts the ones
 * that changed our view, runs suspicion timers (suspect → dead after
 * suspicionMult · max(1, log10 N) · probeIntervalMs unless refuted) and refutes claims
 * about ourselves by bumping our incarnation and broadcasting "alive".
 */
import type { Clock, Timer } from '../common/clock.ts';
import type { BroadcastQueue } from './broadcast-queue.ts';
import { encodeItem } from './codec.ts';
import { MemberTable, type Member, type Outcome } from './member-table.ts';
import type { MemberItem, MemberStatus } from './messages.ts';

export interface SwimMembershipInit {
  maxMembers: number;
  deadRetentionMs: number;
  suspicionMult: number;
  probeIntervalMs: number;
  maxIncarnationStep: number;
}

export class SwimMembership {
  readonly table: MemberTable;
  private readonly timers = new Map<string, Timer>();
  /** `unproven`: claims beyond the incarnation bound, not believed (member-table.ts). */
  counters = { suspected: 0, died: 0, refuted: 0, unproven: 0 };

  constructor(
    selfId: string,
    private readonly c: { clock: Clock; queue: BroadcastQueue; removed(id: string): void },
    private readonly init: SwimMembershipInit,
  ) {
    this.table = new MemberTable(selfId, init);
  }

  selfItem(): MemberItem {
    return { kind: 'member', status: 'alive', id: this.table.selfId, incarnation: this.table.incarnation };
  }

  itemFor(m: Member): MemberItem {
    return { kind: 'member', status: m.status, id: m.id, incarnation: m.incarnation };
  }

  /** Broadcast "I am alive" (on start and after a refutation). */
  announceSelf(): void {
    this.c.queue.push(`m:${this.table.selfId}`, encodeItem(this.selfItem()));
  }

  /** A claim heard `from` a peer, or (from undefined) our own decision. */
  apply(status: MemberStatus, id: string, incarnation: number, from?: string): Outcome {
    const out = this.table.apply(id, status, incarnation, this.c.clock.now(), from);
    if (out === 'unproven') this.counters.unproven++;
    if (out === 'refute') {
      this.counters.refuted++;
      this.announceSelf();
    }
    if (out !== 'changed') return out;
    this.c.queue.push(`m:${id}`, encodeItem({ kind: 'member', status, id, incarnation }));
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
    if (status === 'dead') this.counters.died++;
    if (status === 'suspect') {
      this.counters.suspected++;
      const t = this.c.clock.setTimeout(() => {
        this.timers.delete(id);
        const m = this.table.get(id);
        if (m && m.status === 'suspect' && m.incarnation === incarnation) this.apply('dead', id, incarnation);
      }, this.suspicionTimeout());
      this.timers.set(id, t);
    }
    return out;
  }

  /** The prober got no ACK from `id` probed at `incarnation`. */
  probeFailed(id: string, incarnation: number): void {
    const m = this.table.get(id);
    if (m && m.status === 'alive' && m.incarnation === incarnation) this.apply('suspect', id, incarnation);
  }

  suspicionTimeout(): number {
    const n = Math.max(1, this.table.live() + 1);
    return this.init.suspicionMult * Math.max(1, Math.log10(n)) * this.init.probeIntervalMs;
  }

  prune(): void {
    const before = new Set([...this.table.all()].filter((m) => m.status === 'dead').map((m) => m.id));
    if (this.table.prune(this.c.clock.now()) === 0) return;
    for (const id of before) if (!this.table.get(id)) this.c.removed(id);
  }

  stop(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
