/**
 * How reports spread in the simulation, by the gossip layer's broadcast rules (lean-queue.ts:
 * each node sends a record new to it ceil(4·log10(N+1)) times, fewest transmits first, a
 * newer record of a node replacing the older): every 200 ms a packet of 6 records (a signed
 * state record with tags and one outcome is ~150 bytes; a gossip packet carries ~1,000) to
 * each of 3 random live members, and every 10 s 4 random records to one random live member
 * (anti-entropy). Members come from the node's real SWIM table. It runs on its own
 * OverlayNetwork (same clock, loss and offline set) so the gossip wire stays untouched; a record
 * on the wire is its registry index (report.ts).
 * Each node keeps the newest signed record per node, and the newest unsigned claim per node
 * apart, so a forged claim never displaces a signed record (the gate ignores claims).
 */
import type { Clock, Timer } from '../../../agent/lib/common/clock.ts';
import { retransmitLimit } from '../../../agent/lib/gossip/broadcast-queue.ts';
import type { GossipNode } from '../../../agent/lib/gossip/gossip-node.ts';
import type { OverlayNodeLink } from '../../../agent/lib/simnet/overlay-network.ts';
import type { FleetRecord } from '../../../agent/lib/rollout/fleet.ts';
import type { ReadItem, ReportRegistry } from './report.ts';
import { LeanQueue } from './lean-queue.ts';

const PER_PACKET = 6;
const FANOUT = 3;

export class ReportPlane {
  readonly signed = new Map<string, ReadItem>();
  readonly claims = new Map<string, ReadItem>();
  private readonly queue: LeanQueue;
  private readonly seen = new Set<number>();
  private timers: Timer[] = [];
  dropped = 0;

  constructor(
    private readonly c: {
      link: OverlayNodeLink;
      clock: Clock;
      random: () => number;
      gossip: () => GossipNode;
      registry: ReportRegistry;
      fleetSize: number;
    },
  ) {
    this.queue = new LeanQueue(retransmitLimit(4, c.fleetSize));
    c.link.onMessage((_from, payload) => this.receive(payload));
  }

  start(): void {
    this.timers.push(this.c.clock.setInterval(() => this.tick(), 200));
    this.timers.push(
      this.c.clock.setTimeout(() => {
        this.timers.push(this.c.clock.setInterval(() => this.antiEntropy(), 10_000));
      }, this.c.random() * 10_000),
    );
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  /** This node's own new record (already registered). */
  publish(index: number): void {
    this.take(index);
  }

  /** Every record held, signed and not, as the fleet view lists them. */
  records(): FleetRecord[] {
    const out: FleetRecord[] = [];
    for (const book of [this.signed, this.claims])
      for (const h of book.values()) if (h.record) out.push(h.record);
    return out;
  }

  private take(index: number): void {
    if (this.seen.has(index)) return;
    this.seen.add(index);
    const r = this.c.registry.get(index);
    if (!r) return void this.dropped++;
    const book = r.signed ? this.signed : this.claims;
    const old = book.get(r.report.node);
    if (old && old.report.seq >= r.report.seq) return;
    book.set(r.report.node, r);
    this.queue.push(`${r.signed ? 's' : 'c'}:${r.report.node}`, index);
  }

  private receive(payload: Uint8Array): void {
    if (payload.length % 4 !== 0 || payload.length > 4 * PER_PACKET) return void this.dropped++;
    const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
    for (let at = 0; at < payload.length; at += 4) this.take(view.getUint32(at));
  }

  private send(to: string, indices: number[]): void {
    const b = new Uint8Array(indices.length * 4);
    const view = new DataView(b.buffer);
    indices.forEach((x, i) => view.setUint32(i * 4, x));
    this.c.link.send(to, b);
  }

  /** Each of FANOUT live members gets a packet of the least-sent records; each send counts. */
  private tick(): void {
    for (const m of this.c.gossip().membership.table.sample(FANOUT, this.c.random, 'live')) {
      if (this.queue.size === 0) return;
      this.send(m.id, this.queue.take(PER_PACKET));
    }
  }

  private antiEntropy(): void {
    const all = [...this.signed.values()];
    const pick: number[] = [];
    for (let i = 0; i < 4 && all.length > 0; i++)
      pick.push(all.splice(Math.floor(this.c.random() * all.length), 1)[0]!.index);
    const m = this.c.gossip().membership.table.sample(1, this.c.random, 'live')[0];
    if (m && pick.length > 0) this.send(m.id, pick);
  }
}
