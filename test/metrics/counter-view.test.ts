/** The counter view: keys → families and labels, the per-family label bound, the Counters name bound. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { counterView, MAX_LABEL_VALUES, OTHER } from '../../agent/lib/metrics/counter-view.ts';
import { PACKET_FAMILIES } from '../../agent/lib/metrics/packet-families.ts';
import { Counters, OVERFLOW_KEY } from '../../agent/lib/net/counters.ts';

const view = (c: Counters) => {
  const registry = new Registry();
  counterView(registry, 't_', c, PACKET_FAMILIES, { name: 'events_total', label: 'event', help: 'h' });
  return registry;
};

async function values(registry: Registry, name: string) {
  const family = (await registry.getMetricsAsJSON()).find((f) => f.name === name);
  assert.ok(family, name);
  return family.values.map((v) => [JSON.stringify(v.labels), v.value]);
}

test('each key goes to one family: exact keys before prefixes, the rest to the catch-all', async () => {
  const c = new Counters();
  c.inc('rx_datagrams', 5);
  c.inc('rx_probe', 2);
  c.inc('tx_error');
  c.inc('tx_probe', 3);
  c.inc('drop_replay', 4);
  c.inc('punch_started');
  const r = view(c);
  assert.deepEqual(await values(r, 't_datagrams_received_total'), [['{}', 5]]);
  assert.deepEqual(await values(r, 't_packets_received_total'), [['{"type":"probe"}', 2]]);
  assert.deepEqual(await values(r, 't_send_errors_total'), [['{}', 1]]);
  assert.deepEqual(await values(r, 't_packets_sent_total'), [['{"type":"probe"}', 3]]);
  assert.deepEqual(await values(r, 't_packets_dropped_total'), [['{"reason":"replay"}', 4]]);
  assert.deepEqual(await values(r, 't_events_total'), [['{"event":"punch_started"}', 1]]);
  c.inc('drop_replay');
  assert.deepEqual(
    await values(r, 't_packets_dropped_total'),
    [['{"reason":"replay"}', 5]],
    'read at scrape',
  );
});

test('a family shows at most MAX_LABEL_VALUES values, the oldest; the rest add up under "other"', async () => {
  const c = new Counters();
  for (let i = 0; i < MAX_LABEL_VALUES + 100; i++) c.inc(`drop_reason${i}`);
  const v = await values(view(c), 't_packets_dropped_total');
  assert.equal(v.length, MAX_LABEL_VALUES + 1);
  assert.deepEqual(v[0], ['{"reason":"reason0"}', 1]);
  assert.deepEqual(v.at(-1), [JSON.stringify({ reason: OTHER }), 100]);
});

test('Counters keeps at most maxKeys names; later names count under counters_overflow', async () => {
  const c = new Counters(10);
  for (let i = 0; i < 1000; i++) c.inc(`drop_x${i}`);
  assert.equal(Object.keys(c.snapshot()).length, 11);
  assert.equal(c.get(OVERFLOW_KEY), 990);
  c.inc('drop_x3');
  assert.equal(c.get('drop_x3'), 2, 'a known name still counts as itself');
  assert.deepEqual(await values(view(c), 't_counter_names_overflow_total'), [['{}', 990]]);
});
