/**
 * Pending hole punches. After an introduction both nodes send probes to each other's
 * candidate endpoints every `intervalMs`, at most `attempts` rounds; the first
 * authenticated packet from the peer ends the punch (done()). Bounded: at most
 * `maxPending` punches at once; start() refuses more.
 */
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Endpoint } from '../lib/net/datagram.ts';

interface Punch {
  timer: Timer;
  left: number;
}

export class HolePuncher {
  private readonly pending = new Map<string, Punch>();

  constructor(
    private readonly clock: Clock,
    private readonly opts: { intervalMs: number; attempts: number; maxPending: number },
    private readonly probe: (peerId: string, to: Endpoint, token: number) => void,
    private readonly failed: (peerId: string) => void,
  ) {}

  size(): number {
    return this.pending.size;
  }

  start(peerId: string, token: number, candidates: readonly Endpoint[]): boolean {
    this.done(peerId);
    if (this.pending.size >= this.opts.maxPending || candidates.length === 0) return false;
    const round = () => {
      const punch = this.pending.get(peerId);
      if (!punch) return;
      if (punch.left-- <= 0) {
        this.done(peerId);
        return this.failed(peerId);
      }
      for (const candidate of candidates) this.probe(peerId, candidate, token);
    };
    this.pending.set(peerId, {
      timer: this.clock.setInterval(round, this.opts.intervalMs),
      left: this.opts.attempts,
    });
    round();
    return true;
  }

  done(peerId: string): boolean {
    const punch = this.pending.get(peerId);
    if (!punch) return false;
    punch.timer.cancel();
    this.pending.delete(peerId);
    return true;
  }

  stopAll(): void {
    for (const id of [...this.pending.keys()]) this.done(id);
  }
}
