/**
 * SWIM failure detection (Das et al. 2002; memberlist state.go probeNode). Every probe
 * interval the next member in a shuffled round-robin gets a PING (re-sent after
 * probeTimeoutMs/2 without an ACK); no ACK within probeTimeoutMs → a third PING and PING-REQ to `indirectChecks` other alive members, which ping the target (up to 3 times)
 * and forward its ACK; no ACK by the end of the interval → `failed(target)` (the caller
 * marks it suspect). Pending probes and indirect relays are bounded by maxPendingProbes.
 */
import type { Clock } from '../common/clock.ts';
import type { MemberTable } from './member-table.ts';
import type { Body } from './messages.ts';

export interface ProberComponents {
  clock: Clock;
  random: () => number;
  table: MemberTable;
  send(peer: string, body: Body): void;
  failed(id: string, incarnation: number): void;
  /** The target's own ACK to our ping sent at `sentAt`, stamped with its clock (clock-offsets.ts). */
  clockSample?(peer: string, sentAt: number, peerTime: number): void;
}

export interface ProberInit {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  indirectChecks: number;
  maxPendingProbes: number;
}

interface Pending {
  target: string;
  acked: boolean;
  sentAt: number;
  /** Set when we probe on behalf of another node: forward the ACK as (requester, seq). */
  relay?: { requester: string; seq: number };
}

export class Prober {
  private seq = 0;
  private order: string[] = [];
  private pos = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly c: ProberComponents,
    private readonly init: ProberInit,
  ) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** One probe round step (called every probeIntervalMs). */
  tick(): void {
    const target = this.nextTarget();
    if (!target) return;
    const m = this.c.table.get(target)!;
    const seq = this.newSeq();
    const p: Pending = { target, acked: false, sentAt: this.c.clock.now() };
    this.pending.set(seq, p);
    this.c.send(target, { type: 'ping', seq, target });
    const half = this.init.probeTimeoutMs / 2;
    this.c.clock.setTimeout(() => void (p.acked || this.c.send(target, { type: 'ping', seq, target })), half);
    this.c.clock.setTimeout(() => {
      if (p.acked) return;
      this.c.send(target, { type: 'ping', seq, target }); // third direct try (memberlist: TCP fallback)
      for (const helper of this.c.table.sample(this.init.indirectChecks, this.c.random, 'alive', target))
        this.c.send(helper.id, { type: 'ping-req', seq, target });
    }, this.init.probeTimeoutMs);
    const inc = m.incarnation;
    this.c.clock.setTimeout(() => {
      this.pending.delete(seq);
      if (!p.acked) this.c.failed(target, inc);
    }, this.init.probeIntervalMs);
  }

  onPing(from: string, seq: number, target: string): void {
    if (target !== this.c.table.selfId) return;
    this.c.send(from, { type: 'ack', seq, time: Math.floor(this.c.clock.now()) });
  }

  onPingReq(from: string, seq: number, target: string): void {
    if (this.pending.size >= this.init.maxPendingProbes || target === this.c.table.selfId) return;
    const mine = this.newSeq();
    const p: Pending = { target, acked: false, sentAt: this.c.clock.now(), relay: { requester: from, seq } };
    this.pending.set(mine, p);
    this.c.send(target, { type: 'ping', seq: mine, target });
    const retry = () => void (p.acked || this.c.send(target, { type: 'ping', seq: mine, target }));
    this.c.clock.setTimeout(retry, this.init.probeTimeoutMs / 3);
    this.c.clock.setTimeout(retry, (2 * this.init.probeTimeoutMs) / 3);
    this.c.clock.setTimeout(() => this.pending.delete(mine), this.init.probeTimeoutMs);
  }

  onAck(from: string, seq: number, time: number): void {
    const p = this.pending.get(seq);
    if (!p || p.acked) return;
    if (from === p.target) this.c.clockSample?.(from, p.sentAt, time);
    if (!p.relay) return void (p.acked = true); // direct from the target or forwarded by a helper
    if (from !== p.target) return; // we probe for someone else: only the target's ACK counts
    p.acked = true;
    this.pending.delete(seq);
    this.c.send(p.relay.requester, { type: 'ack', seq: p.relay.seq, time });
  }

  private newSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  private nextTarget(): string | undefined {
    for (let tries = 0; tries < 2; tries++) {
      while (this.pos < this.order.length) {
        const id = this.order[this.pos++]!;
        const m = this.c.table.get(id);
        if (m && m.status !== 'dead') return id;
      }
      this.order = shuffle(this.c.table.idList(), this.c.random);
      this.pos = 0;
    }
    return undefined;
  }
}

function shuffle<T>(a: T[], random: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
