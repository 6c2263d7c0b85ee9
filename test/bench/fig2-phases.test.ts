/** bench/fig2/phases.ts: a node's phases read from its manager log. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { medianPhases, nodePhases } from '../../bench/fig2/phases.ts';

const T0 = Date.parse('2026-12-03T16:46:30.000Z');
const line = (ms: number, o: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: new Date(T0 + ms).toISOString(), ...o });
const state = (ms: number, version: number, event: string) =>
  line(ms, { msg: 'update state', version, event });

const LOG = [
  line(100, { msg: 'update accepted', version: 4, infoHash: 'old' }),
  line(200, { msg: 'update accepted', version: 5, infoHash: 'h5' }),
  line(150, { msg: 'rechoke pulse', reason: 'new-peer', torrents: ['h5'] }), // before the add
  state(210, 5, 'download-started'),
  line(900, { msg: 'rechoke pulse', reason: 'wants-interest', torrents: ['h5'] }),
  line(1200, { msg: 'rechoke pulse', reason: 'new-peer', torrents: ['other'] }),
  line(1300, { msg: 'rechoke pulse', reason: 'new-peer', torrents: ['other', 'h5'] }),
  'not json',
  '{"time":"not a time","msg":"update state","version":5,"event":"downloaded"}',
  state(3400, 5, 'downloaded'),
  line(3500, { msg: 'rechoke pulse', reason: 'new-peer', torrents: ['h5'] }), // a seed's: ignored
  state(4000, 5, 'payload-ok'),
  state(4010, 5, 'deploy-started'),
  state(4100, 5, 'deploy-ok'),
  state(4200, 5, 'deploy-ok'),
];

test('each phase is the gap between its marks, the first mark of each kind counting', () => {
  assert.deepEqual(nodePhases(LOG, 5, T0), {
    notifyMs: 200,
    addMs: 10,
    firstPeerMs: 1090,
    transferMs: 2100,
    verifyMs: 600,
    deployMs: 100,
    totalMs: 4100,
  });
});

test('a missing mark gives null, not a number (no pulses: the transfer counts from the add)', () => {
  const noPulse = LOG.filter((l) => !l.includes('rechoke pulse'));
  const p = nodePhases(noPulse, 5, T0);
  assert.equal(p.firstPeerMs, null);
  assert.equal(p.transferMs, 3400 - 210);
  const none = nodePhases(LOG, 9, T0);
  assert.deepEqual(Object.values(none), [null, null, null, null, null, null, null]);
});

test('medians per node and phase over samples; null where no sample has the phase', () => {
  const a = nodePhases(LOG, 5, T0);
  const b = { ...a, notifyMs: 400, firstPeerMs: null };
  const c = { ...a, notifyMs: 300, firstPeerMs: null };
  const m = medianPhases([{ n2: a }, { n2: b }, { n2: c, n3: b }]);
  assert.equal(m['n2']!['notifyMs'], 300);
  assert.equal(m['n2']!['firstPeerMs'], 1090);
  assert.equal(m['n3']!['firstPeerMs'], null);
  assert.equal(m['n3']!['totalMs'], 4100);
});
