/**
 * Fleet-size estimate for the retransmit limit (issue 17 item 4; docs/protocol/gossip.md
 * §Fleet size). A node with a partial view (the member table is bounded by maxMembers)
 * cannot count the fleet, so every node keeps a HyperLogLog sketch (32 one-byte registers,
 * ±18 %: the limit uses log10 N, so that is ±0.3 transmissions) that holds its own id and
 * is merged register-wise (max) with the sketches carried on SWIM pings and acks. Sketches
 * belong to an epoch (clock / epochMs); only sketches of the current or previous epoch are
 * merged, so a fleet that shrank, or a sketch a hostile member inflated, is forgotten after
 * two epochs. estimate() = max(live members + 1, HLL of this epoch and the previous one),
 * never above maxFleetEstimate: a hostile member can raise the retransmit limit at most to
 * ceil(retransmitMult · log10(maxFleetEstimate + 1)), nothing more.
 */
import type { Clock } from '../common/clock.ts';
import { SKETCH_REGS, type Sketch } from './messages.ts';

/** Highest rank a 32-bit hash gives with 5 index bits (27 remaining bits + 1). */
export const MAX_RANK = 28;

export interface FleetSizeInit {
  fleetEpochMs: number;
  maxFleetEstimate: number;
}

export class FleetSize {
  private cur: Sketch;
  private prev: Sketch;
  /** Sketches refused: wrong length or a register above MAX_RANK. */
  bad = 0;

  constructor(
    private readonly c: { clock: Clock; selfId: string; live(): number },
    private readonly init: FleetSizeInit,
  ) {
    const e = this.epochNow();
    this.prev = { epoch: e - 1, regs: new Uint8Array(SKETCH_REGS) };
    this.cur = this.fresh(e);
  }

  /** This node's sketch of the current epoch (to carry on a ping or ack). */
  sketch(): Sketch {
    this.rotate();
    return this.cur;
  }

  /** Merge a sketch heard from a peer; false if refused or of another epoch. */
  merge(s: Sketch): boolean {
    if (s.regs.length !== SKETCH_REGS || s.regs.some((r) => r > MAX_RANK)) return (void this.bad++, false);
    this.rotate();
    const into = s.epoch === this.cur.epoch ? this.cur : s.epoch === this.prev.epoch ? this.prev : null;
    if (!into) return false;
    for (let i = 0; i < SKETCH_REGS; i++) if (s.regs[i]! > into.regs[i]!) into.regs[i] = s.regs[i]!;
    return true;
  }

  estimate(): number {
    this.rotate();
    const n = Math.max(this.c.live() + 1, hll(this.cur.regs), hll(this.prev.regs));
    return Math.min(this.init.maxFleetEstimate, Math.round(n));
  }

  private epochNow(): number {
    return Math.floor(this.c.clock.now() / Math.max(1, this.init.fleetEpochMs));
  }

  private rotate(): void {
    const e = this.epochNow();
    if (e === this.cur.epoch) return;
    this.prev = e === this.cur.epoch + 1 ? this.cur : { epoch: e - 1, regs: new Uint8Array(SKETCH_REGS) };
    this.cur = this.fresh(e);
  }

  private fresh(epoch: number): Sketch {
    const regs = new Uint8Array(SKETCH_REGS);
    const h = hash32(this.c.selfId);
    const w = h >>> 5;
    regs[h & (SKETCH_REGS - 1)] = w === 0 ? MAX_RANK : Math.clz32(w) - 4;
    return { epoch, regs };
  }
}

/** HyperLogLog estimate with linear counting for small cardinalities (Flajolet et al. 2007). */
export function hll(regs: Uint8Array): number {
  const m = regs.length;
  let sum = 0;
  let zeros = 0;
  for (const r of regs) {
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const e = (0.697 * m * m) / sum;
  return e <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : e;
}

/** FNV-1a over UTF-16 code units, then murmur3's finalizer (ids are short ASCII). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
