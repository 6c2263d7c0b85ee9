/**
 * A packet-stepping router for protocol tests, after nebula's e2e router: every packet
 * that any simulated node sends goes into one queue, and the test moves them one at a
 * time (`step`) or until none are left (`run`, bounded). A `relay` hook sees each packet
 * on its way and may pass it, alter it or drop it (an on-path attacker, a lossy link).
 * No clock, no sockets, no sleeps: the order of events is the order of the queue.
 * Endpoints are plain names; what "delivering" means is the owner's `deliver` function.
 */
export interface RoutedPacket {
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
}

export class StepRouter {
  #queue: RoutedPacket[] = [];
  /** Every packet the relay saw, in order (what a wiretap on the path records). */
  readonly seen: Uint8Array[] = [];
  /** The relay's hook: the bytes to forward (possibly altered), or null to drop. */
  relay: (p: RoutedPacket) => Uint8Array | null = (p) => p.bytes;

  constructor(
    private readonly name: string,
    private readonly deliver: (p: RoutedPacket) => void,
  ) {}

  get pending(): number {
    return this.#queue.length;
  }

  send(from: string, to: string, bytes: Uint8Array): void {
    this.#queue.push({ from, to, bytes });
  }

  /** Moves one packet; false when the queue was empty. */
  step(): boolean {
    const p = this.#queue.shift();
    if (!p) return false;
    this.seen.push(p.bytes);
    const bytes = this.relay(p);
    if (bytes) this.deliver({ ...p, bytes });
    return true;
  }

  /** Moves packets until none are left; throws when `maxSteps` were not enough (a packet storm). */
  run(maxSteps = 10_000): void {
    for (let i = 0; i < maxSteps && this.step(); i++);
    if (this.#queue.length > 0) throw new Error(`${this.name}: step bound reached`);
  }
}
