/**
 * natm's metrics of the layers over the NatmNode (docs/metrics.md): gossip's counters and
 * member table, and in certificate mode the certificate sessions, revocations and renewal.
 * All read at scrape time from the counters those parts keep (the ones `natm-stats`
 * prints); event names come from code, at most MAX_LABEL_VALUES per family.
 */
import type { Registry } from 'prom-client';
import { MAX_LABEL_VALUES } from '../lib/metrics/counter-view.ts';
import { byLabel, counterAtScrape, gaugeAtScrape } from '../lib/metrics/scrape-time.ts';
import { tally } from '../lib/metrics/tally.ts';

const P = 'p2pu_natm_';

/** Counts by part: `{ node: { pushPulls: 3 }, notifications: { relayed: 1 } }`. */
export type CountsByPart = Readonly<
  Record<string, Iterable<readonly [string, number]> | Record<string, number>>
>;

export interface OverlayMetricsSource {
  members(): readonly { readonly status: string }[];
  gossip(): CountsByPart;
  /** Certificate mode only (identityDir), else undefined. */
  certificates?(): CertificateMetrics | undefined;
}

export interface CertificateMetrics {
  readonly counts: CountsByPart;
  readonly revoked: number;
  readonly crlSeq: number;
  /** Unix seconds. */
  readonly expires: number;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `{ node: { pushPulls: 3 } }` → [['node_push_pulls', 3]], at most MAX_LABEL_VALUES. */
function flatten(parts: CountsByPart): [string, number][] {
  const all = Object.entries(parts).flatMap(([part, counts]) => {
    const entries = Symbol.iterator in counts ? [...counts] : Object.entries(counts);
    return entries.map(([k, v]): [string, number] => [`${part}_${snake(k)}`, v]);
  });
  return all.slice(0, MAX_LABEL_VALUES);
}

export function overlayMetrics(registry: Registry, src: OverlayMetricsSource): void {
  gaugeAtScrape(registry, {
    name: `${P}members`,
    help: 'Cluster members in the SWIM table, by status.',
    labelNames: ['status'],
    read: () =>
      byLabel(
        'status',
        tally(src.members(), (m) => m.status),
      ),
  });
  counterAtScrape(registry, {
    name: `${P}gossip_events_total`,
    help: 'Gossip events (node_push_pulls, notifications_relayed, membership_suspected, ...).',
    labelNames: ['event'],
    read: () => byLabel('event', flatten(src.gossip())),
  });
  const cert = () => src.certificates?.();
  counterAtScrape(registry, {
    name: `${P}certificate_events_total`,
    help: 'Certificate mode: session, revocation and renewal events (links_established, overlay_delivered, renewal_renewed, ...).',
    labelNames: ['event'],
    read: () => byLabel('event', flatten(cert()?.counts ?? {})),
  });
  gaugeAtScrape(registry, {
    name: `${P}revoked_nodes`,
    help: 'Certificate mode: node ids on the revocation list.',
    read: () => cert()?.revoked ?? 0,
  });
  gaugeAtScrape(registry, {
    name: `${P}crl_sequence`,
    help: 'Certificate mode: sequence number of the revocation list held.',
    read: () => cert()?.crlSeq ?? 0,
  });
  gaugeAtScrape(registry, {
    name: `${P}certificate_expiry_timestamp_seconds`,
    help: "Certificate mode: when this node's certificate expires (Unix time); 0 without one.",
    read: () => cert()?.expires ?? 0,
  });
}
