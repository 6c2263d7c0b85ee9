/**
 * uTP off while natm says UDP is blocked (its stream fallback in use: docs/protocol/natm.md
 * §Stream fallback), back on when natm returns to UDP. uTP is BitTorrent over UDP: behind
 * such a firewall every uTP attempt is dropped, and transmission-daemon backs off from a
 * peer after it, so the bytes came late or never. With uTP off it opens plain TCP
 * connections to the peers the tracker lists (those reachable: public addresses, LAN
 * neighbours). It only turns uTP back on if it turned it off (an operator's
 * `utp-enabled: false` stays). natm is asked every `intervalMs`; each switch is logged once.
 */
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';

export const UTP_CHECK_MS = 5000;

export interface UtpSwitchDeps {
  /** natm's transport ('udp', 'tcp', 'tls'), undefined when natm cannot be asked. */
  readonly transport: () => Promise<string | undefined>;
  readonly setSession: (fields: Record<string, number | boolean>) => Promise<unknown>;
  readonly clock: Clock;
  readonly log: Logger;
}

export class UtpSwitch {
  #timer: Timer | null = null;
  /** true while uTP is off because of the fallback. */
  off = false;

  constructor(
    private readonly d: UtpSwitchDeps,
    private readonly intervalMs = UTP_CHECK_MS,
  ) {}

  start(): void {
    this.#timer ??= this.d.clock.setInterval(() => void this.check(), this.intervalMs);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  async check(): Promise<void> {
    const t = await this.d.transport().catch(() => undefined);
    if (t === undefined) return;
    const blocked = t === 'tcp' || t === 'tls';
    if (blocked === this.off) return;
    try {
      await this.d.setSession({ 'utp-enabled': !blocked });
      this.off = blocked;
      if (blocked) this.d.log.warn({ transport: t }, 'UDP blocked: uTP off, BitTorrent over TCP');
      else this.d.log.info({ transport: t }, 'UDP works again: uTP on');
    } catch (e) {
      this.d.log.debug({ err: String(e) }, 'utp-enabled not set; next check retries');
    }
  }
}
