/**
 * Certificates inside a running natm (agent/natm/main.ts, with `identityDir`):
 *   const sec = await secureNatm(node, opts, { clock, logger });
 *   const gossip = attachGossip(sec.overlay, ipc, { logger, revocations: sec.book, records: sec.overlay.records });
 *   await sec.start(gossip.node);   ...   sec.stop();
 * - gossip runs over the SecureOverlay: every gossip/SWIM/fetch message is in a
 *   certificate-authenticated, end-to-end encrypted session; only proven peers are members;
 *   state records are signed with the node's certificate key (overlay.records);
 * - every `connectMs` the overlay opens sessions with natm peers not yet proven;
 * - revocation notices: gossip checks and spreads them (RevocationBook); the notices dir
 *   (NoticeDir) is where the admin drops one and where heard ones are kept;
 * - with `enrollServer`, the signed revocation list is fetched at start and every
 *   `crlRefreshMs` (CrlRefresher), never replacing a newer one, and saved as crl.bin;
 * - its own certificate (CertRenewer, every `noticeScanMs`): renewed at `enrollServer`
 *   when less than `renewFraction` of its lifetime is left, or taken from node.cert when an
 *   admin renewed it there, and swapped in without a restart.
 */
import { join } from 'node:path';
import type { Clock, Timer } from '../../lib/common/clock.ts';
import type { Logger } from '../../lib/common/logger.ts';
import type { OverlayLink } from '../../lib/net/overlay-link.ts';
import { RevocationBook } from '../../lib/membership/revocation-book.ts';
import type { SecureOverlay } from '../../lib/membership/secure-overlay.ts';
import type { ClusterMembership } from '../../lib/membership/cluster-membership.ts';
import { CertRenewer, DEFAULT_RENEW_FRACTION } from './cert-renewer.ts';
import { CrlRefresher } from './crl-refresher.ts';
import { writeFileAtomic } from '../../lib/enrollment/json-file.ts';
import { statePaths } from '../../lib/enrollment/node-keys.ts';
import { NoticeDir } from '../../lib/enrollment/notice-dir.ts';
import { renewCertificate } from '../../lib/enrollment/renew-client.ts';
import { secureOverlayFromDir } from './secure-overlay-from-dir.ts';
import type { CertificateMetrics } from '../metrics-overlay.ts';

/** A failed renewal is tried again after this long (or crlRefreshMs if shorter). */
const RENEW_RETRY_MS = 600_000;

export interface SecureNatmOptions {
  readonly identityDir: string;
  /** Default IDENTITY_DIR/notices. */
  readonly noticesDir?: string;
  readonly noticeScanMs: number;
  readonly enrollServer?: string;
  readonly crlRefreshMs: number;
  readonly connectMs: number;
  /** Default 1/3 (DEFAULT_RENEW_FRACTION). */
  readonly renewFraction?: number;
}

export interface SecureNatm {
  readonly overlay: SecureOverlay;
  readonly membership: ClusterMembership;
  readonly book: RevocationBook;
  readonly notices: NoticeDir;
  readonly crl?: CrlRefresher;
  readonly renewer: CertRenewer;
  start(gossip: { publishRevocation(notice: Uint8Array): string[] | null }): Promise<void>;
  stop(): void;
  stats(): Record<string, unknown>;
  /** What natm's metrics read (agent/natm/metrics-overlay.ts): the same counters as stats(). */
  metricsView(): CertificateMetrics;
}

export async function secureNatm(
  link: OverlayLink,
  o: SecureNatmOptions,
  c: { clock: Clock; logger: Logger; fetch?: typeof fetch },
): Promise<SecureNatm> {
  const id = await secureOverlayFromDir(link, o.identityDir, c.clock);
  const { overlay, membership, revocation } = id;
  const book = new RevocationBook({ membership, revocation });
  const log = c.logger.child({ component: 'membership' });
  const { ca, cluster } = membership.init;
  const server = o.enrollServer;
  const doFetch = c.fetch ?? fetch;
  const crl = server
    ? new CrlRefresher(
        {
          clock: c.clock,
          log,
          state: revocation,
          fetchCrl: async () => {
            const res = await doFetch(new URL('/crl', server).href, { signal: AbortSignal.timeout(15_000) });
            if (!res.ok) throw new Error(`GET /crl: HTTP ${res.status}`);
            return new Uint8Array(await res.arrayBuffer());
          },
          onAccepted: (raw) =>
            void writeFileAtomic(statePaths(o.identityDir).crl, raw, 0o644).catch((err: Error) =>
              log.warn({ err: err.message }, 'cannot save crl.bin'),
            ),
        },
        { ca, cluster, intervalMs: o.crlRefreshMs },
      )
    : undefined;
  let publish: (n: Uint8Array) => string[] | null = (n) => book.accept(n);
  const notices = new NoticeDir(
    { clock: c.clock, log, publish: (n) => publish(n) },
    { dir: o.noticesDir ?? join(o.identityDir, 'notices'), scanMs: o.noticeScanMs },
  );
  book.onNotice((nodeId, notice) => void notices.keep(nodeId, notice));
  const renewer = new CertRenewer(
    {
      clock: c.clock,
      log,
      overlay,
      renew: server
        ? async () =>
            (await renewCertificate({ fetch: doFetch, clock: c.clock }, { server, dir: o.identityDir })).raw
        : undefined,
    },
    {
      certPath: statePaths(o.identityDir).cert,
      checkMs: o.noticeScanMs,
      renewFraction: o.renewFraction ?? DEFAULT_RENEW_FRACTION,
      retryMs: Math.min(o.crlRefreshMs, RENEW_RETRY_MS),
    },
  );
  revocation.onRevoked((nodeId) => log.warn({ peer: nodeId }, 'node revoked: sessions dropped'));
  let timer: Timer | undefined;
  return {
    overlay,
    membership,
    book,
    notices,
    crl,
    renewer,
    async start(gossip) {
      if (timer) return;
      publish = (n) => gossip.publishRevocation(n);
      timer = c.clock.setInterval(() => overlay.connect(), o.connectMs);
      overlay.connect();
      await notices.start();
      await renewer.start();
      crl?.start();
      void crl?.refresh();
    },
    stop() {
      timer?.cancel();
      timer = undefined;
      notices.stop();
      renewer.stop();
      crl?.stop();
    },
    metricsView: () => ({
      counts: {
        overlay: overlay.counters,
        links: overlay.links.counters,
        revocations: book.counters,
        renewal: renewer.counters,
      },
      revoked: revocation.revokedIds().length,
      crlSeq: revocation.seq,
      expires: overlay.links.certificate.expires,
    }),
    stats: () => ({
      overlay: Object.fromEntries(overlay.counters),
      links: overlay.links.counters,
      revocations: book.counters,
      revoked: revocation.revokedIds(),
      crlSeq: revocation.seq,
      certExpires: overlay.links.certificate.expires,
      renewal: renewer.counters,
    }),
  };
}
