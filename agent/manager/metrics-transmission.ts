/**
 * The manager's view of transmission-daemon's traffic (docs/metrics.md): at each scrape one
 * `session-stats` call (with the RPC timeout), shared by the three metrics below, reads the
 * bytes the daemon has uploaded and downloaded; the daemon is the one source. When the call
 * fails, `transmission_up` is 0, the byte counters keep the last values read (a drop to 0
 * would read as a counter reset), and the rest of the scrape still answers.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

const P = 'p2pu_manager_transmission_';

export interface Transferred {
  readonly uploadedBytes: number;
  readonly downloadedBytes: number;
}

export function transmissionMetrics(
  registry: Registry,
  transferred: () => Promise<Transferred | null>,
): void {
  // The metrics of one scrape are collected together: they share one call.
  let inflight: Promise<Transferred | null> | undefined;
  let lastGood: Transferred = { uploadedBytes: 0, downloadedBytes: 0 };
  const read = () =>
    (inflight ??= transferred()
      .catch(() => null)
      .then((t) => (t ? (lastGood = t) : null))
      .finally(() => (inflight = undefined)));
  new Gauge({
    name: `${P}up`,
    help: 'Whether transmission-daemon answered session-stats at this scrape (1) or not (0).',
    registers: [registry],
    async collect() {
      this.set((await read()) ? 1 : 0);
    },
  });
  const bytes = (name: string, help: string, pick: (t: Transferred) => number) =>
    new Counter({
      name: `${P}${name}`,
      help,
      registers: [registry],
      async collect() {
        await read();
        this.reset();
        this.inc(pick(lastGood));
      },
    });
  bytes(
    'uploaded_bytes_total',
    'Bytes the daemon uploaded (its cumulative statistics).',
    (t) => t.uploadedBytes,
  );
  bytes(
    'downloaded_bytes_total',
    'Bytes the daemon downloaded (its cumulative statistics).',
    (t) => t.downloadedBytes,
  );
}
