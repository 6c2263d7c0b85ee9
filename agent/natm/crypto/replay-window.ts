/**
 * Replay protection per sender (IPsec-style sliding window). A sender has an epoch (its
 * start time in ms; a restart increases it) and a counter. Accepted: a newer epoch, or
 * the current epoch with a counter not seen and not older than WINDOW behind the highest.
 * Bounded: at most `maxSenders` senders tracked; the least recently active is evicted
 * (its next packet starts a fresh window), and state idle for `idleMs` is reset.
 */
export const WINDOW = 256;

interface State {
  epoch: number;
  top: number;
  seen: Uint8Array;
  last: number;
}

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
      s = { epoch, top: seq, seen: new Uint8Array(WINDOW), last: now };
      s.seen[seq % WINDOW] = 1;
      return this.put(sender, s);
    }
    if (epoch < s.epoch || seq + WINDOW <= s.top) return false;
    if (seq > s.top) {
      for (let i = Math.max(s.top + 1, seq - WINDOW + 1); i <= seq; i++) s.seen[i % WINDOW] = 0;
      s.top = seq;
    } else if (s.seen[seq % WINDOW]) return false;
    s.seen[seq % WINDOW] = 1;
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
