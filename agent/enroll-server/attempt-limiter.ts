/**
 * Failed attempts per key (a source address, or one key for everybody) in a sliding
 * window, with the attempt reserved *before* it is checked: `reserve` counts it at once,
 * so N parallel requests cannot all pass the limit while the first check (an async
 * scrypt) is still running. `fail()` turns the reservation into a failure kept for
 * `windowMs`; `pass()` drops it (`forget`: and the key's failures). Pure apart from the
 * injected clock. Bounded: at most `maxKeys` keys (the oldest key is dropped first).
 */
import type { Clock } from '../lib/common/clock.ts';

export interface AttemptLimiterInit {
  /** Failures plus attempts in flight allowed per key within the window. */
  readonly max: number;
  readonly windowMs: number;
  readonly maxKeys: number;
}

export interface Attempt {
  fail(): void;
  pass(forget?: boolean): void;
}

interface Entry {
  failures: number[];
  inFlight: number;
}

export class AttemptLimiter {
  readonly #keys = new Map<string, Entry>();

  constructor(
    private readonly c: { clock: Pick<Clock, 'now'> },
    readonly init: AttemptLimiterInit,
  ) {}

  /** An attempt for `key`, or null when the key is at its limit. */
  reserve(key: string): Attempt | null {
    const now = this.c.clock.now();
    const e = this.#entry(key, now);
    if (e.failures.length + e.inFlight >= this.init.max) return null;
    e.inFlight++;
    let done = false;
    const settle = (failed: boolean, forget: boolean) => {
      if (done) return;
      done = true;
      e.inFlight--;
      if (failed) e.failures.push(this.c.clock.now());
      if (forget) e.failures = [];
      if (e.failures.length === 0 && e.inFlight === 0) this.#keys.delete(key);
    };
    return { fail: () => settle(true, false), pass: (forget = false) => settle(false, forget) };
  }

  /** Milliseconds until `key` may try again (0: now). */
  retryAfterMs(key: string): number {
    const e = this.#keys.get(key);
    if (!e || e.failures.length + e.inFlight < this.init.max) return 0;
    const oldest = e.failures[0];
    return oldest === undefined ? 1000 : Math.max(1, oldest + this.init.windowMs - this.c.clock.now());
  }

  get size(): number {
    return this.#keys.size;
  }

  #entry(key: string, now: number): Entry {
    let e = this.#keys.get(key);
    if (e) {
      e.failures = e.failures.filter((t) => t > now - this.init.windowMs);
      return e;
    }
    e = { failures: [], inFlight: 0 };
    this.#keys.set(key, e);
    while (this.#keys.size > this.init.maxKeys) this.#keys.delete(this.#keys.keys().next().value!);
    return e;
  }
}
