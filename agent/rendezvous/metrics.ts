/**
 * The rendezvous server's Prometheus metrics (docs/metrics.md), read at scrape time from
 * the server's Counters (the ones `natm-stats` prints) and its session tables. Bounded:
 * drop reasons and packet types come from code, and namespaces are counted, never named
 * (an open rendezvous may serve thousands of them).
 */
import { Registry } from 'prom-client';
import { counterView, type CounterFamily } from '../lib/metrics/counter-view.ts';
import { PACKET_FAMILIES } from '../lib/metrics/packet-families.ts';
import { gaugeAtScrape } from '../lib/metrics/scrape-time.ts';
import type { Counters } from '../lib/net/counters.ts';

const P = 'p2pu_rendezvous_';

export interface RendezvousMetricsSource {
  readonly counters: Counters;
  /** Live sessions over all namespaces. */
  sessions(): number;
  namespaces(): number;
}

const RENDEZVOUS_FAMILIES: readonly CounterFamily[] = [
  ...PACKET_FAMILIES,
  { name: 'stun_requests_total', key: 'stun_requests', help: 'STUN Binding requests answered.' },
  { name: 'registrations_total', key: 'registrations', help: 'Registrations taken into a session table.' },
  { name: 'introductions_total', key: 'introductions', help: 'Introductions made (both sides told).' },
  { name: 'relayed_packets_total', key: 'relayed', help: 'Overlay packets relayed for nodes.' },
];

export function rendezvousRegistry(src: RendezvousMetricsSource): Registry {
  const registry = new Registry();
  counterView(registry, P, src.counters, RENDEZVOUS_FAMILIES, {
    name: 'events_total',
    label: 'event',
    help: 'Other rendezvous events, by the name natm-stats shows them under.',
  });
  gaugeAtScrape(registry, {
    name: `${P}sessions`,
    help: 'Live sessions in the session tables (all namespaces).',
    read: () => src.sessions(),
  });
  gaugeAtScrape(registry, {
    name: `${P}namespaces`,
    help: 'Namespaces with a session table (1 in cluster-key mode once a node registered).',
    read: () => src.namespaces(),
  });
  return registry;
}
