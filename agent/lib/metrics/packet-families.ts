/**
 * The counter families of a Channel (agent/lib/net/channel.ts), which natm and the
 * rendezvous both count through: datagrams in, packets in and out by type, drops by
 * reason. Each process adds its own families after these (agent/natm/metrics.ts,
 * agent/rendezvous/metrics.ts).
 */
import { OVERFLOW_KEY } from '../net/counters.ts';
import type { CounterFamily } from './counter-view.ts';

export const PACKET_FAMILIES: readonly CounterFamily[] = [
  { name: 'datagrams_received_total', key: 'rx_datagrams', help: 'UDP datagrams received (any kind).' },
  {
    name: 'packets_received_total',
    key: 'rx_',
    label: 'type',
    help: 'Authenticated overlay packets accepted, by message type.',
  },
  { name: 'send_errors_total', key: 'tx_error', help: 'Packets that could not be sealed or sent.' },
  { name: 'packets_sent_total', key: 'tx_', label: 'type', help: 'Overlay packets sent, by message type.' },
  {
    name: 'packets_dropped_total',
    key: 'drop_',
    label: 'reason',
    help: 'Datagrams and packets dropped, by reason (oversized, bad_stun, replay, ...).',
  },
  {
    name: 'counter_names_overflow_total',
    key: OVERFLOW_KEY,
    help: 'Events counted under no name of their own because the counter table was full (should stay 0).',
  },
];
