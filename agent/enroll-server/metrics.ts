/**
 * The enrollment server's Prometheus metrics (docs/metrics.md): HTTP answers by route and
 * status, counted as they finish, and the CA's state (nodes, requests by status,
 * revocations, CRL sequence) read at scrape time. Bounded: a route is one of ROUTES, never
 * the raw path (a scanner's thousand paths are all "other"), and statuses are the few codes
 * the server answers with.
 */
import { Counter, Registry } from 'prom-client';
import type { CaState } from '../lib/ca/ca-state.ts';
import { BoundedLabel } from '../lib/metrics/bounded-label.ts';
import { byLabel, gaugeAtScrape } from '../lib/metrics/scrape-time.ts';
import { tally } from '../lib/metrics/tally.ts';

const P = 'p2pu_enroll_';
export const ROUTES = ['ca', 'crl', 'request', 'poll', 'renew', 'notice', 'admin', 'other'] as const;

/** The route label of a request path (never the path itself). */
export function routeOf(path: string): (typeof ROUTES)[number] {
  if (path === '/ca') return 'ca';
  if (path === '/crl') return 'crl';
  if (path === '/api/requests') return 'request';
  if (path.startsWith('/api/requests/')) return 'poll';
  if (path === '/api/renew') return 'renew';
  if (path.startsWith('/notices/')) return 'notice';
  if (path === '/' || path.startsWith('/admin')) return 'admin';
  return 'other';
}

export class EnrollMetrics {
  readonly registry = new Registry();
  private readonly responses: Counter<'route' | 'status'>;
  private readonly statuses = new BoundedLabel(32);

  constructor(ca: () => Readonly<CaState>) {
    const registry = this.registry;
    this.responses = new Counter({
      name: `${P}responses_total`,
      help: `HTTP answers, by route (${ROUTES.join(', ')}) and status code.`,
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    gaugeAtScrape(registry, {
      name: `${P}nodes`,
      help: 'Certificates issued (nodes enrolled), revoked ones included.',
      read: () => ca().nodes.length,
    });
    gaugeAtScrape(registry, {
      name: `${P}requests`,
      help: 'Enrollment requests on record, by status (pending, issued, rejected).',
      labelNames: ['status'],
      read: () =>
        byLabel(
          'status',
          tally(ca().requests, (r) => r.status),
        ),
    });
    gaugeAtScrape(registry, { name: `${P}revoked`, help: 'Nodes revoked.', read: () => ca().revoked.length });
    gaugeAtScrape(registry, {
      name: `${P}crl_sequence`,
      help: 'Sequence number of the current revocation list.',
      read: () => ca().crlSeq,
    });
  }

  responded(path: string, status: number): void {
    this.responses.inc({ route: routeOf(path), status: this.statuses.value(String(status)) });
  }
}
