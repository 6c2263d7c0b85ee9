/**
 * Replay protection per sender (IPsec-style sliding window). A sender has an epoch (its
 * start time in ms; a restart increases it) and a counter shared by all its destinations.
 * Accepted: a newer epoch, or the current epoch with a counter not seen and less than
 * WINDOW behind the highest. WINDOW is large (4096) because a busy rendezvous interleaves
 * one counter over many nodes, so one node sees large gaps and reordering. Bounded: at
 * most `maxSenders` senders (512 bytes each); the least recently active is evicted (its
 * next packet starts a fresh window), and state idle for `idleMs` is reset.
 */
export const WINDOW = 4096;

interface State {
  epoch: number;
  top: number;
  bits: Uint8Array;
  last: number;
}

const get = (b: Uint8Array, i: number) => (b[(i % WINDOW) >> 3]! >> (i & 7)) & 1;
const set = (b: Uint8Array, i: number, v: number) => {
  const k = (i % WINDOW) >> 3;
  b[k] = v ? b[k]! | (1 << (i & 7)) : b[k]! & ~(1 << (i & 7));
};

export class ReplayGuard {
  private readonly senders = new Map<string, State>();

  constructor(
    private readonly maxSenders = 4096,
    private readonly idleMs = 300_000,
  ) {}

  /** True if (sender, epoch, seq) is fresh; records it. */
  check(sender: string, epoch: number, seq: number, now: number): boolean {
    let s = this.senders.get(sender);
    if (s && now - s.last > this.idleMs) s = undefined;
    if (!s || epoch > s.epoch) {
      s = { epoch, top: seq, bits: new Uint8Array(WINDOW / 8), last: now };
      set(s.bits, seq, 1);
      return this.put(sender, s);
    }
    if (epoch < s.epoch || seq + WINDOW <= s.top) return false;
    if (seq > s.top) {
      if (seq - s.top >= WINDOW) s.bits.fill(0);
      else for (let i = s.top + 1; i <= seq; i++) set(s.bits, i, 0);
      s.top = seq;
    } else if (get(s.bits, seq)) return false;
    set(s.bits, seq, 1);
    s.last = now;
    return this.put(sender, s);
  }

  size(): number {
    return this.senders.size;
  }

  private put(sender: string, s: State): true {
    this.senders.delete(sender);
    this.senders.set(sender, s);
    if (this.senders.size > this.maxSenders) this.senders.delete(this.senders.keys().next().value!);
    return true;
  }
}
