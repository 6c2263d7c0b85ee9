/**
 * Keeps the daemon on the configured speed limits (config-bandwidth.ts): sets them at
 * start, again after a failure (5 s, doubling to 60 s: the daemon may start after the
 * manager) and every 10 minutes (a daemon restarted with an older settings.json, or
 * limits changed by hand, come back to the config). A failure is logged once per streak.
 */
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import { sessionLimits, type BandwidthConfig } from './config-bandwidth.ts';

export const REAPPLY_MS = 600_000;
const RETRY_MS = 5_000;
const RETRY_MAX_MS = 60_000;

export interface BandwidthDeps {
  readonly setSession: (fields: Record<string, number | boolean>) => Promise<unknown>;
  readonly clock: Clock;
  readonly log: Logger;
}

export class BandwidthKeeper {
  #timer: Timer | null = null;
  #failing = false;
  #stopped = false;
  /** Times the limits were set (a test and the status read it). */
  applied = 0;

  constructor(
    private readonly d: BandwidthDeps,
    private readonly config: BandwidthConfig,
  ) {}

  start(): void {
    void this.#apply(RETRY_MS);
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  async #apply(retryMs: number): Promise<void> {
    const fields = sessionLimits(this.config);
    try {
      await this.d.setSession(fields);
      this.applied++;
      if (this.#failing || this.applied === 1) this.d.log.info(fields, 'bandwidth limits set');
      this.#failing = false;
      this.#next(REAPPLY_MS, RETRY_MS);
    } catch (e) {
      if (!this.#failing) this.d.log.warn({ err: String(e) }, 'bandwidth limits not set yet; retrying');
      this.#failing = true;
      this.#next(retryMs, Math.min(retryMs * 2, RETRY_MAX_MS));
    }
  }

  #next(inMs: number, retryMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.d.clock.setTimeout(() => void this.#apply(retryMs), inMs);
  }
}
