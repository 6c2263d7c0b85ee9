/** Every bound is enforced (simulated network): relay rate, table size, pending punches, payload size; fuzzing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoint } from '../../agent/lib/net/datagram.ts';
import { MAX_APP_PAYLOAD } from '../../agent/lib/net/overlay-link.ts';
import { bindingRequest } from '../../agent/lib/wire/stun-codec.ts';
import { seeded, SimWorld } from './sim-world.ts';

test('relay rate per node is bounded at the rendezvous', async () => {
  const w = await SimWorld.create();
  const r = w.addRendezvous({ relayRatePerSec: 10, relayBurst: 20 });
  const a = w.addNode('a', 'symmetric');
  const c = w.addNode('c', 'symmetric');
  w.run(3000);
  let got = 0;
  c.onMessage(() => got++);
  for (let i = 0; i < 200; i++) assert.equal(a.send('c', Uint8Array.of(i)), true);
  w.run(1000);
  assert.equal(got, 20, 'the burst gets through, the rest is dropped');
  assert.equal(r.counters.get('drop_relay_rate'), 180);
  w.run(1000);
  for (let i = 0; i < 5; i++) a.send('c', Uint8Array.of(i));
  w.run(500);
  assert.equal(got, 25, 'refilled at the configured rate');
  await w.stop();
});

test('the session table is bounded', async () => {
  const w = await SimWorld.create();
  const r = w.addRendezvous({ maxSessions: 3 });
  for (let i = 0; i < 5; i++) w.addNode(`n${i}`, 'full-cone');
  w.run(3000);
  assert.equal(r.table.size(), 3);
  assert.ok(r.counters.get('drop_table_full') >= 2);
  await w.stop();
});

test('pending punches are bounded', async () => {
  const w = await SimWorld.create();
  w.addRendezvous();
  const a = w.addNode('a', 'symmetric', { maxPendingPunches: 2, eagerPaths: 0 });
  for (let i = 0; i < 5; i++) w.addNode(`p${i}`, 'port-restricted', { eagerPaths: 0 });
  w.run(20_000); // a learns everyone at its next register
  for (let i = 0; i < 5; i++) a.send(`p${i}`, Uint8Array.of(1));
  w.run(100);
  assert.equal(a.counters.get('punch_started'), 2);
  assert.equal(a.counters.get('drop_punch_full'), 3);
  w.run(5000);
  assert.equal(a.stats().pendingPunches, 0, 'failed punches are given up');
  assert.equal(a.counters.get('punch_failed'), 2);
  await w.stop();
});

test('payloads over MAX_APP_PAYLOAD are refused, unknown peers too; send never throws', async () => {
  const w = await SimWorld.create();
  w.addRendezvous();
  const a = w.addNode('a', 'open');
  w.addNode('b', 'open');
  w.run(3000);
  assert.equal(a.send('b', new Uint8Array(MAX_APP_PAYLOAD + 1)), false);
  assert.equal(a.send('nobody', Uint8Array.of(1)), false);
  assert.equal(a.counters.get('send_oversized'), 1);
  assert.equal(a.counters.get('send_unknown_peer'), 1);
  assert.ok(w.deliver('a', 'b'), 'a full-size payload fits one datagram');
  let got = 0;
  w.nodes.get('b')!.onMessage((_, p) => (got = p.length));
  assert.ok(a.send('b', new Uint8Array(MAX_APP_PAYLOAD)));
  w.run(100);
  assert.equal(got, MAX_APP_PAYLOAD);
  await w.stop();
});

test('fuzz: 5,000 mutated real packets at nodes and rendezvous: all dropped and counted, nothing throws', async () => {
  const w = await SimWorld.create();
  const r = w.addRendezvous();
  const a = w.addNode('a', 'open');
  const b = w.addNode('b', 'full-cone');
  const seen: Array<[Uint8Array, Endpoint]> = [];
  w.net.tap = (data, _from, to) => void (seen.length < 200 && seen.push([Uint8Array.from(data), to]));
  w.run(3000);
  assert.ok(w.deliver('a', 'b'));
  w.net.tap = undefined;
  const evil = w.net.addHost(w.publicAddress()).bind(666);
  const rnd = seeded(5);
  for (let i = 0; i < 5000; i++) {
    const [orig, to] = seen[i % seen.length]!;
    const m = Uint8Array.from(orig);
    const kind = i % 4;
    if (kind === 0) m[Math.floor(rnd() * m.length)]! ^= 1 + Math.floor(rnd() * 255);
    const pkt = kind === 1 ? m.subarray(0, Math.floor(rnd() * m.length)) : m; // 2: replayed as is
    evil.send(
      kind === 3 ? Uint8Array.from({ length: Math.floor(rnd() * 1500) }, () => rnd() * 256) : pkt,
      to,
    );
  }
  w.run(1000);
  for (const [name, c] of [
    ['a', a.counters],
    ['b', b.counters],
    ['rdv', r.counters],
  ] as const) {
    assert.equal(c.get('drop_handler_error'), 0, `${name}: no handler threw`);
    assert.ok(c.sum('drop_') > 500, `${name}: drops counted ${JSON.stringify(c.snapshot())}`);
  }
  assert.ok(a.counters.get('drop_replay') > 0, 'replayed originals are refused');
  assert.ok(w.deliver('a', 'b') && w.deliver('b', 'a'), 'still working');
  await w.stop();
});

test('STUN answers are rate-limited per source address', async () => {
  const w = await SimWorld.create();
  const r = w.addRendezvous({ stunRatePerSec: 10, stunBurst: 20 });
  const evil = w.net.addHost(w.publicAddress()).bind(666);
  let answers = 0;
  evil.onMessage(() => answers++);
  for (let i = 0; i < 100; i++) evil.send(bindingRequest().bytes, w.rdvEps[0]!);
  w.run(100);
  assert.equal(answers, 20);
  assert.equal(r.counters.get('drop_stun_rate'), 80);
  await w.stop();
});
