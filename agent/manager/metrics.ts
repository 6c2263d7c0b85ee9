/**
 * The manager's Prometheus metrics (docs/metrics.md). Counted as they happen: every
 * torrent-file++ taken in (by source and outcome), refusals by code, the update state
 * transitions recorded in the store (downloads started and done, payload checks, deploys
 * applied, failed, given up), and deploy durations. Read from the version store at scrape
 * time: per URI, the applied version, the current version and its state.
 * Bounded: sources, outcomes and transitions are enums; refusal codes keep at most
 * MAX_LABEL_VALUES values; per-URI series cover at most MAX_URI_SERIES URIs (the first by
 * name), and `p2pu_manager_uris` counts them all. A URI is in the store only once an
 * admin-signed update for it was accepted.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { BoundedLabel } from '../lib/metrics/bounded-label.ts';
import { gaugeAtScrape } from '../lib/metrics/scrape-time.ts';
import type { StoreData, UriRecord } from './model.ts';
import type { UpdateEvent } from './update-machine.ts';
import { transmissionMetrics, type Transferred } from './metrics-transmission.ts';

export const MAX_URI_SERIES = 128;
const P = 'p2pu_manager_';

/** `root`: a root chain (intake-root.ts), newer or not. */
export type IntakeOutcome = 'accepted' | 'duplicate' | 'refused' | 'root' | 'control';

export class ManagerMetrics {
  readonly registry = new Registry();
  private readonly intakes: Counter<'source' | 'outcome'>;
  private readonly refusals: Counter<'code' | 'source'>;
  private readonly transitions: Counter<'event'>;
  private readonly deploySeconds: Histogram;
  private readonly codes = new BoundedLabel();
  private readonly sources = new BoundedLabel(8);

  /**
   * `uris`: the version store's records, read at each scrape; `transferred`: the daemon's
   * byte counts (metrics-transmission.ts), read at each scrape.
   */
  constructor(
    uris: () => StoreData['uris'] = () => ({}),
    transferred: () => Promise<Transferred | null> = async () => null,
  ) {
    const registers = [this.registry];
    this.intakes = new Counter({
      name: `${P}updates_received_total`,
      help: 'torrent-file++, root chains and rollout control messages taken in, by source (inbox, natm) and outcome (accepted, duplicate, refused, root, control).',
      labelNames: ['source', 'outcome'],
      registers,
    });
    this.refusals = new Counter({
      name: `${P}refusals_total`,
      help: 'Updates and rollout control messages refused, by code (BAD_SIGNATURE, ROLLBACK, PAYLOAD_MISMATCH, STALE_CONTROL, ...) and source (inbox, natm, payload, executor).',
      labelNames: ['code', 'source'],
      registers,
    });
    this.transitions = new Counter({
      name: `${P}update_transitions_total`,
      help: 'Update state events recorded (download-started, downloaded, payload-ok, payload-bad, deploy-started, deploy-ok, deploy-failed, give-up, transfer-error, unhealthy, rollback-requested, rollback-started, rollback-failed, rolled-back, rollback-unhealthy).',
      labelNames: ['event'],
      registers,
    });
    this.deploySeconds = new Histogram({
      name: `${P}deploy_duration_seconds`,
      help: 'How long deploys that ran and succeeded took, as the deploy executor measured them.',
      buckets: [1, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    perUriGauges(this.registry, uris);
    transmissionMetrics(this.registry, transferred);
  }

  received(source: string, outcome: IntakeOutcome): void {
    this.intakes.inc({ source: this.sources.value(source), outcome });
  }

  refused(code: string, source: string): void {
    this.refusals.inc({ code: this.codes.value(code), source: this.sources.value(source) });
  }

  transition(type: UpdateEvent['type']): void {
    if (type !== 'progress') this.transitions.inc({ event: type });
  }

  deployed(durationMs: number): void {
    this.deploySeconds.observe(durationMs / 1000);
  }
}

/** The first MAX_URI_SERIES URIs by name: a stable set, whatever order they arrived in. */
function listed(uris: StoreData['uris']): [string, UriRecord][] {
  return Object.entries(uris)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_URI_SERIES);
}

function perUriGauges(registry: Registry, uris: () => StoreData['uris']): void {
  gaugeAtScrape(registry, {
    name: `${P}uris`,
    help: `URIs in the version store (per-URI series cover the first ${MAX_URI_SERIES} by name).`,
    read: () => Object.keys(uris()).length,
  });
  gaugeAtScrape(registry, {
    name: `${P}uri_applied_version`,
    help: 'Per URI: the highest version deployed successfully (absent until one was).',
    labelNames: ['uri'],
    read: () =>
      listed(uris()).flatMap(([uri, r]) => (r.applied === null ? [] : [[{ uri }, r.applied] as const])),
  });
  gaugeAtScrape(registry, {
    name: `${P}uri_current_version`,
    help: 'Per URI: the version being worked on or last worked on (the highest accepted).',
    labelNames: ['uri'],
    read: () =>
      listed(uris()).flatMap(([uri, r]) => (r.current ? [[{ uri }, r.current.version] as const] : [])),
  });
  gaugeAtScrape(registry, {
    name: `${P}uri_state`,
    help: "Per URI: 1 for the current update's state (verified, downloading, verifying-payload, deploying, applied, failed).",
    labelNames: ['uri', 'state'],
    read: () =>
      listed(uris()).flatMap(([uri, r]) =>
        r.current ? [[{ uri, state: r.current.state }, 1] as const] : [],
      ),
  });
}
