/**
 * Replay protection per sender for natm datagrams: one ReplayWindow (../replay-window.ts)
 * per sender and epoch. A sender has an epoch (its start time in ms; a restart increases
 * it) and a counter shared by all its destinations. Accepted: a newer epoch, or the
 * current epoch with a counter the window accepts. The window is large (4096) because a
 * busy rendezvous interleaves one counter over many nodes, so one node sees large gaps
 * and reordering. Called only after the envelope authenticated the packet, so `accept`
 * checks and records in one step. Bounded: at most `maxSenders` senders (512 bytes each);
 * the least recently active is evicted (its next packet starts a fresh window), and state
 * idle for `idleMs` is reset.
 */
import { ReplayWindow } from '../replay-window.ts';

export const WINDOW = 4096;

interface SenderState {
  epoch: number;
  window: ReplayWindow;
  last: number;
}

export class ReplayGuard {
  private readonly senders = new Map<string, SenderState>();

  constructor(
    private readonly maxSenders = 4096,
    private readonly idleMs = 300_000,
  ) {}

  /** True if (sender, epoch, seq) is fresh; records it. */
  accept(sender: string, epoch: number, seq: number, now: number): boolean {
    let s = this.senders.get(sender);
    if (s && now - s.last > this.idleMs) s = undefined;
    if (!s || epoch > s.epoch) s = { epoch, window: new ReplayWindow(WINDOW), last: now };
    else if (epoch < s.epoch) return false;
    if (!s.window.check(seq)) return false;
    s.window.commit(seq);
    s.last = now;
    this.senders.delete(sender);
    this.senders.set(sender, s);
    if (this.senders.size > this.maxSenders) this.senders.delete(this.senders.keys().next().value!);
    return true;
  }

  size(): number {
    return this.senders.size;
  }
}
