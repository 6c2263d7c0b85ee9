/**
 * natm's own certificate over time (docs/security.md §Renewal). Every `checkMs`:
 * - node.cert changed on disk (an admin ran `p2p-update enroll --renew`)? Swap it in;
 * - with an enrollment server: less than `renewFraction` of the certificate's lifetime
 *   left? Renew it (renew-client.ts: node.cert replaced atomically) and swap it in; a
 *   failure is logged and retried after `retryMs`.
 * Swapping goes through SecureOverlay.setCertificate, which accepts only a certificate of
 * this CA and cluster, valid now, naming this node's keys; a refused one is logged and the
 * old one kept. Never throws; idempotent start/stop.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Clock, Timer } from '../../lib/common/clock.ts';
import type { Logger } from '../../lib/common/logger.ts';
import type { NodeCert } from '../../lib/membership/certificate.ts';
import type { SecureOverlay } from '../../lib/membership/secure-overlay.ts';

export const DEFAULT_RENEW_FRACTION = 1 / 3;

export interface CertRenewerComponents {
  readonly clock: Clock;
  readonly log: Logger;
  readonly overlay: Pick<SecureOverlay, 'setCertificate' | 'links'>;
  /** Renews at the enrollment server, saves node.cert and resolves to it; absent: no server. */
  readonly renew?: () => Promise<Uint8Array>;
}

export interface CertRenewerInit {
  readonly certPath: string;
  readonly checkMs: number;
  readonly renewFraction: number;
  readonly retryMs: number;
}

export class CertRenewer {
  readonly counters = { renewed: 0, renewFailed: 0, loadedFromDisk: 0, refused: 0 };
  #timer: Timer | undefined;
  #running: Promise<void> | undefined;
  #disk = '';
  #nextTry = 0;

  constructor(
    private readonly c: CertRenewerComponents,
    private readonly init: CertRenewerInit,
  ) {}

  async start(): Promise<void> {
    if (this.#timer) return;
    this.#disk = await this.#stamp().catch(() => '');
    this.#timer = this.c.clock.setInterval(() => void this.check(), this.init.checkMs);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** When a renewal is due (ms since the epoch): `renewFraction` of the lifetime before expiry. */
  dueAt(cert: NodeCert = this.c.overlay.links.certificate): number {
    const life = cert.expires - cert.issuedAt;
    return (cert.expires - life * this.init.renewFraction) * 1000;
  }

  /** One check (a check already running is joined, not repeated). */
  check(): Promise<void> {
    this.#running ??= this.#check().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #check(): Promise<void> {
    try {
      const stamp = await this.#stamp();
      if (stamp !== this.#disk) {
        this.#disk = stamp;
        const raw = new Uint8Array(await readFile(this.init.certPath));
        if (this.#swap(raw, 'node.cert changed on disk')) this.counters.loadedFromDisk++;
      }
    } catch (err) {
      this.c.log.warn({ err: (err as Error).message, path: this.init.certPath }, 'cannot read node.cert');
    }
    const now = this.c.clock.now();
    if (!this.c.renew || now < this.dueAt() || now < this.#nextTry) return;
    this.#nextTry = now + this.init.retryMs; // also after a renewal whose certificate is refused
    try {
      const raw = await this.c.renew();
      this.#disk = await this.#stamp().catch(() => '');
      this.counters.renewed++;
      this.#swap(raw, 'renewed at the enrollment server');
    } catch (err) {
      this.counters.renewFailed++;
      const expires = new Date(this.c.overlay.links.certificate.expires * 1000).toISOString();
      this.c.log.warn(
        { err: (err as Error).message, expires, retryInMs: this.init.retryMs },
        'certificate renewal failed',
      );
    }
  }

  /** Swaps `raw` in unless it is the certificate in use; true when swapped. */
  #swap(raw: Uint8Array, why: string): boolean {
    if (Buffer.from(raw).equals(Buffer.from(this.c.overlay.links.identity.cert))) return false;
    const held = this.c.overlay.links.certificate;
    const r = this.c.overlay.setCertificate(raw);
    if (!r.ok) {
      this.counters.refused++;
      this.c.log.warn(
        { code: r.error.code, err: r.error.message, why },
        'new certificate refused; keeping the old one',
      );
      return false;
    }
    const iso = (s: number) => new Date(s * 1000).toISOString();
    this.c.log.info({ why, expires: iso(r.cert.expires), was: iso(held.expires) }, 'certificate swapped');
    return true;
  }

  async #stamp(): Promise<string> {
    const s = await stat(this.init.certPath);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  }
}
