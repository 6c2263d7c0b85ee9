/**
 * natm's Prometheus metrics (docs/metrics.md), all read at scrape time from what the
 * process already keeps: the NatmNode's Counters (the ones `natm-stats` prints), its peers
 * and rendezvous state, the UDP socket's send errors, and gossip's counters and member
 * table. Labels are bounded: packet types and drop reasons come from code (at most
 * MAX_LABEL_VALUES per family), paths and member statuses are small enums, and the
 * rendezvous label takes the configured servers (at most 8). No label names a peer.
 */
import { Registry } from 'prom-client';
import { counterView, type CounterFamily } from '../lib/metrics/counter-view.ts';
import { PACKET_FAMILIES } from '../lib/metrics/packet-families.ts';
import { byLabel, counterAtScrape, gaugeAtScrape } from '../lib/metrics/scrape-time.ts';
import { overlayMetrics, type OverlayMetricsSource } from './metrics-overlay.ts';
import { tally } from '../lib/metrics/tally.ts';
import type { Counters } from '../lib/net/counters.ts';
import type { Endpoint } from '../lib/net/datagram.ts';

const P = 'p2pu_natm_';
const PATHS = ['direct', 'punched', 'bridged', 'relayed', 'none'];

export interface NatmMetricsSource extends OverlayMetricsSource {
  readonly counters: Counters;
  peers(): readonly { readonly path: string | null }[];
  rendezvous(): readonly { readonly ep: Endpoint; readonly alive: boolean; readonly lastAck: number }[];
  pendingPunches(): number;
  udpSendErrors(): number;
}

const NATM_FAMILIES: readonly CounterFamily[] = [
  ...PACKET_FAMILIES,
  { name: 'sends_refused_total', key: 'send_', label: 'reason', help: 'App sends refused, by reason.' },
  {
    name: 'ipc_messages_received_total',
    key: 'ipc_rx_',
    label: 'type',
    help: 'Messages from the manager over IPC, by type.',
  },
  { name: 'punches_total', key: 'punch_', label: 'result', help: 'Hole punches started, succeeded, failed.' },
];

const ep = (e: Endpoint) => `${e.address}:${e.port}`;

export function natmRegistry(src: NatmMetricsSource): Registry {
  const registry = new Registry();
  counterView(registry, P, src.counters, NATM_FAMILIES, {
    name: 'events_total',
    label: 'event',
    help: 'Other natm events, by the name natm-stats shows them under (external_changed, app_rx, bridged_in, ...).',
  });
  gaugeAtScrape(registry, {
    name: `${P}peers`,
    help: 'Known peers by best path type (none: no working path now).',
    labelNames: ['path'],
    read: () => {
      const counts = new Map(PATHS.map((p) => [p, 0]));
      for (const [path, n] of tally(src.peers(), (p) => p.path ?? 'none')) counts.set(path, n);
      return byLabel('path', counts);
    },
  });
  gaugeAtScrape(registry, {
    name: `${P}rendezvous_up`,
    help: 'Per configured rendezvous: 1 if it answered within the path timeout, else 0.',
    labelNames: ['rendezvous'],
    read: () => src.rendezvous().map((r) => [{ rendezvous: ep(r.ep) }, r.alive ? 1 : 0] as const),
  });
  gaugeAtScrape(registry, {
    name: `${P}rendezvous_last_contact_timestamp_seconds`,
    help: 'Per configured rendezvous: when it last answered (Unix time); absent until it has.',
    labelNames: ['rendezvous'],
    read: () =>
      src
        .rendezvous()
        .filter((r) => Number.isFinite(r.lastAck))
        .map((r) => [{ rendezvous: ep(r.ep) }, r.lastAck / 1000] as const),
  });
  gaugeAtScrape(registry, {
    name: `${P}pending_punches`,
    help: 'Hole punches in progress.',
    read: () => src.pendingPunches(),
  });
  counterAtScrape(registry, {
    name: `${P}udp_send_errors_total`,
    help: 'Datagrams the UDP socket failed to send.',
    read: () => src.udpSendErrors(),
  });
  overlayMetrics(registry, src);
  return registry;
}
