/** natm's registry over a source of plain values: peers by path, rendezvous contact, gossip and certificate events. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counters } from '../../agent/lib/net/counters.ts';
import { natmRegistry, type NatmMetricsSource } from '../../agent/natm/metrics.ts';
import { parseExposition, sample } from './exposition.ts';

const base = (over: Partial<NatmMetricsSource> = {}): NatmMetricsSource => ({
  counters: new Counters(),
  peers: () => [{ path: 'direct' }, { path: 'relayed' }, { path: null }, { path: 'direct' }],
  rendezvous: () => [
    { ep: { address: '198.18.0.1', port: 3478 }, alive: true, lastAck: 1_700_000_000_000 },
    { ep: { address: '198.18.0.2', port: 3478 }, alive: false, lastAck: -Infinity },
  ],
  pendingPunches: () => 2,
  udpSendErrors: () => 7,
  members: () => [{ status: 'alive' }, { status: 'suspect' }, { status: 'alive' }],
  gossip: () => ({ node: { pushPulls: 3 }, notifications: { relayed: 1 } }),
  ...over,
});

const scrape = async (src: NatmMetricsSource) => parseExposition(await natmRegistry(src).metrics());

test('peers by path (every path shown, 0 included), rendezvous up and last contact, gossip events', async () => {
  const m = await scrape(base());
  assert.equal(sample(m, 'p2pu_natm_peers', { path: 'direct' }), 2);
  assert.equal(sample(m, 'p2pu_natm_peers', { path: 'none' }), 1);
  assert.equal(sample(m, 'p2pu_natm_peers', { path: 'bridged' }), 0);
  assert.equal(sample(m, 'p2pu_natm_rendezvous_up', { rendezvous: '198.18.0.2:3478' }), 0);
  assert.equal(m.get('p2pu_natm_rendezvous_last_contact_timestamp_seconds')!.samples.length, 1);
  assert.equal(sample(m, 'p2pu_natm_rendezvous_last_contact_timestamp_seconds'), 1_700_000_000);
  assert.equal(sample(m, 'p2pu_natm_members', { status: 'alive' }), 2);
  assert.equal(sample(m, 'p2pu_natm_gossip_events_total', { event: 'node_push_pulls' }), 3);
  assert.equal(sample(m, 'p2pu_natm_udp_send_errors_total'), 7);
  assert.equal(sample(m, 'p2pu_natm_pending_punches'), 2);
  assert.equal(sample(m, 'p2pu_natm_certificate_expiry_timestamp_seconds'), 0, 'no certificate');
});

test('certificate mode: session, revocation and renewal counters (Map or object), CRL, expiry', async () => {
  const m = await scrape(
    base({
      certificates: () => ({
        counts: {
          overlay: new Map([['delivered', 5]]),
          links: { established: 2 },
          renewal: { renewFailed: 1 },
        },
        revoked: 3,
        crlSeq: 9,
        expires: 1_800_000_000,
      }),
    }),
  );
  assert.equal(sample(m, 'p2pu_natm_certificate_events_total', { event: 'overlay_delivered' }), 5);
  assert.equal(sample(m, 'p2pu_natm_certificate_events_total', { event: 'renewal_renew_failed' }), 1);
  assert.equal(sample(m, 'p2pu_natm_revoked_nodes'), 3);
  assert.equal(sample(m, 'p2pu_natm_crl_sequence'), 9);
  assert.equal(sample(m, 'p2pu_natm_certificate_expiry_timestamp_seconds'), 1_800_000_000);
});
