/**
 * The `metrics` key every process schema shares (docs/metrics.md): absent, no listener;
 * present, GET /metrics over HTTP at `listen`. Loopback only unless `exposed` says the
 * operator means to serve it on another address (a scraper elsewhere, behind a firewall).
 */
import { endpoint, flag, section } from '../config/fields.ts';

/** 127.0.0.0/8: the only addresses served without `exposed`. */
export const isLoopback = (address: string): boolean => address.startsWith('127.');

export const metricsSection = () =>
  section({
    listen: endpoint(true).describe(
      'HTTP address of the Prometheus endpoint, GET /metrics (port 0: any free port). Loopback unless exposed.',
    ),
    exposed: flag()
      .default(false)
      .describe('Allow a non-loopback listen address (the metrics carry no secret, but say what runs).'),
  })
    .superRefine((m, ctx) => {
      if (!m.exposed && !isLoopback(m.listen.address))
        ctx.addIssue({
          code: 'custom',
          path: ['listen'],
          input: `${m.listen.address}:${m.listen.port}`,
          message: 'a loopback address 127.x.x.x (or "exposed": true to serve it elsewhere)',
        });
    })
    .optional()
    .describe('Prometheus metrics (docs/metrics.md); absent: no listener.');

export interface MetricsConfig {
  readonly listen: { readonly address: string; readonly port: number };
  readonly exposed: boolean;
}
