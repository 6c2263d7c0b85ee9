/**
 * Reannounces a torrent when natm names new peers for it, so that the daemon learns
 * them in about a second rather than at its next periodic announce (and a holder dials
 * a NATed newcomer while the newcomer dials it: both sides must, for uTP to punch).
 * A request that the daemon would ignore is deferred to when its gate opens
 * (announce-plan.ts); one pending timer per torrent, bounded like the tracker's log.
 * A reannounce the daemon drops anyway (3.00 compares with its cached whole-second clock,
 * which lags by a second or more on a loaded machine) is noticed — no announce reached our
 * tracker within HEARD_MS — and sent again, at most MAX_KICKS times per request.
 */
import type { Clock, Timer } from '../../lib/common/clock.ts';
import type { Logger } from '../../lib/common/logger.ts';
import type { AnnounceRecord } from '../../lib/tracker/announce-log.ts';
import { ANNOUNCE_LOG_LIMIT } from '../../lib/tracker/announce-log.ts';
import { announcePlan } from './announce-plan.ts';

export interface AnnounceKickerComponents {
  readonly reannounce: (infoHash: string) => Promise<unknown>;
  /** The tracker's record for the torrent. */
  readonly history: (infoHash: string) => AnnounceRecord | null;
  /** 120 on 3.00/4.0, 0 on 4.1 (DaemonTraits.firstReannounceGateS). */
  readonly firstGateS: () => Promise<number>;
  readonly clock: Clock;
  readonly log: Logger;
}

/** How long after a reannounce its announce must have reached our tracker. */
export const HEARD_MS = 2000;
/** Reannounces per request at most (the first and the repeats of one not heard). */
export const MAX_KICKS = 3;

export class AnnounceKicker {
  private readonly pending = new Map<string, Timer>();
  /** Torrent → the check that its last reannounce was heard. */
  private readonly checks = new Map<string, Timer>();
  sent = 0;
  deferred = 0;

  constructor(private readonly c: AnnounceKickerComponents) {}

  /** natm named new peers for `infoHash`. Never throws; never blocks the caller. */
  request(infoHash: string, kicks = 0): void {
    void this.plan(infoHash, kicks).catch((e: unknown) =>
      this.c.log.debug({ infoHash, err: String(e) }, 'reannounce not sent'),
    );
  }

  private async plan(infoHash: string, kicks: number): Promise<void> {
    const p = announcePlan(this.c.history(infoHash), await this.c.firstGateS(), this.c.clock.now());
    if (p.kind === 'none') return;
    if (p.kind === 'now') return this.send(infoHash, kicks + 1);
    if (this.pending.has(infoHash)) return; // one deferred reannounce per torrent is enough
    if (this.pending.size >= ANNOUNCE_LOG_LIMIT) return;
    this.deferred++;
    const t = this.c.clock.setTimeout(() => {
      this.pending.delete(infoHash);
      this.request(infoHash, kicks); // re-planned: an announce may have happened meanwhile
    }, p.at - this.c.clock.now());
    this.pending.set(infoHash, t);
  }

  private async send(infoHash: string, kicks: number): Promise<void> {
    this.checks.get(infoHash)?.cancel();
    this.checks.delete(infoHash);
    const at = this.c.clock.now();
    if (kicks < MAX_KICKS && this.checks.size < ANNOUNCE_LOG_LIMIT) {
      const check = this.c.clock.setTimeout(() => {
        this.checks.delete(infoHash);
        if ((this.c.history(infoHash)?.lastAt ?? 0) < at) this.request(infoHash, kicks); // not heard: again
      }, HEARD_MS);
      this.checks.set(infoHash, check);
    }
    this.sent++;
    this.c.log.debug({ infoHash, kicks }, 'reannounce');
    await this.c.reannounce(infoHash);
  }

  stop(): void {
    for (const t of [...this.pending.values(), ...this.checks.values()]) t.cancel();
    this.pending.clear();
    this.checks.clear();
  }
}
