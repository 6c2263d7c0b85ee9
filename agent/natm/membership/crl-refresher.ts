/**
 * Periodic refresh of the signed revocation list (default every 24 h, Wolinsky §III-B.2):
 * fetch, check CA and cluster, hand to RevocationState, which refuses an older list. A
 * failed fetch is logged and retried at the next tick. Idempotent start/stop.
 */
import type { Clock, Timer } from '../../lib/common/clock.ts';
import type { Logger } from '../../lib/common/logger.ts';
import type { CertAuthority } from '../../lib/membership/certificate.ts';
import { openRevocationList } from '../../lib/membership/revocation.ts';
import type { RevocationState } from '../../lib/membership/revocation-state.ts';

export interface CrlRefresherComponents {
  readonly clock: Clock;
  readonly log: Logger;
  readonly state: RevocationState;
  /** Fetches the raw signed list (GET SERVER/crl). */
  readonly fetchCrl: () => Promise<Uint8Array>;
  /** Called with a newly accepted list, e.g. to persist it. */
  readonly onAccepted?: (raw: Uint8Array) => void;
}

export interface CrlRefresherInit {
  readonly ca: CertAuthority;
  readonly cluster: string;
  readonly intervalMs?: number;
}

export const DEFAULT_CRL_INTERVAL_MS = 24 * 3600_000;

export class CrlRefresher {
  #timer: Timer | undefined;
  constructor(
    private readonly c: CrlRefresherComponents,
    private readonly init: CrlRefresherInit,
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = this.c.clock.setInterval(
      () => void this.refresh(),
      this.init.intervalMs ?? DEFAULT_CRL_INTERVAL_MS,
    );
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** One refresh; resolves to the ids newly revoked (never rejects). */
  async refresh(): Promise<string[]> {
    try {
      const raw = await this.c.fetchCrl();
      const list = openRevocationList(raw, this.init.ca, this.init.cluster);
      const added = this.c.state.acceptList(list);
      this.c.onAccepted?.(raw);
      if (added.length)
        this.c.log.info({ crlSeq: list.seq, revoked: added }, 'revocation list brought new revocations');
      return added;
    } catch (err) {
      this.c.log.warn({ err: (err as Error).message }, 'revocation list refresh failed');
      return [];
    }
  }
}
