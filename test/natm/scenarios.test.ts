/** natm scenarios on the simulated network: LAN, bridge, roaming, rendezvous outage, loss. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Channel } from '../../agent/lib/net/channel.ts';
import type { Endpoint } from '../../agent/lib/net/datagram.ts';
import type { NatmNode } from '../../agent/natm/natm-node.ts';
import type { Body } from '../../agent/lib/wire/messages.ts';
import { SimWorld } from './sim-world.ts';

test('two nodes behind one NAT use their LAN addresses (no hairpin)', async () => {
  const w = await SimWorld.create();
  w.addRendezvous();
  const nat = w.net.addNat(w.publicAddress(), 'port-restricted');
  const a = w.addNode('a', { nat });
  w.addNode('b', { nat });
  w.run(3000);
  assert.ok(w.deliver('a', 'b'));
  w.run(2000);
  assert.equal(a.peer('b')?.path, 'direct');
  assert.equal(a.book.get('b')?.ep?.address.startsWith('10.1.'), true);
  assert.equal(w.net.stats.get('no_hairpin') ?? 0, 0);
  assert.ok(w.deliver('b', 'a'));
  await w.stop();
  await w.stop(); // idempotent
  w.clock.advance(1000);
  assert.equal(w.clock.pending(), 0, 'stop() leaves no timer behind');
});

test('bridge: node 4 (no route out) reaches and is reached through bridge node 3', async () => {
  const w = await SimWorld.create({ delayMs: 10 });
  w.addRendezvous();
  w.addNode('n1', 'open');
  w.addNode('n2', 'port-restricted');
  const fw = w.net.addNat(w.publicAddress(), 'port-restricted');
  const n3 = w.addNode('n3', { nat: fw }, { bridge: true });
  const lan3 = w.hosts.get('n3')!.address;
  const n4 = w.addNode('n4', { nat: fw, isolated: true }, { bridgeVia: `${lan3}:4000` });
  w.run(20_000);
  assert.deepEqual(n3.stats().children, ['n4']);
  assert.equal(w.rdvs[0]!.table.get('n4')?.via, 'n3');
  assert.equal(n4.peer('n3')?.path, 'direct');
  for (const far of ['n1', 'n2']) {
    assert.ok(w.deliver('n4', far), `n4 → ${far}`);
    assert.ok(w.deliver(far, 'n4'), `${far} → n4`);
    assert.equal(n4.peer(far)?.path, 'bridged');
    assert.equal(w.nodes.get(far)!.peer('n4')?.path, 'bridged');
  }
  assert.ok(n3.counters.get('bridged_in') > 0 && n3.counters.get('bridged_out') > 0);
  assert.ok((w.net.stats.get('isolated') ?? 0) > 0, 'n4 tried the rendezvous and could not reach it');
  await w.stop();
});

test('a bridge child that joins late still learns the peers its bridge knows', async () => {
  const w = await SimWorld.create({ delayMs: 10 });
  w.addRendezvous();
  for (let i = 0; i < 25; i++) w.addNode(`p${i}`, 'full-cone', { eagerPaths: 0 });
  const fw = w.net.addNat(w.publicAddress(), 'port-restricted');
  w.addNode('n3', { nat: fw }, { bridge: true });
  w.run(60_000);
  const lan3 = w.hosts.get('n3')!.address;
  const n4 = w.addNode('n4', { nat: fw, isolated: true }, { bridgeVia: `${lan3}:4000`, keepaliveMs: 5000 });
  w.run(30_000);
  const bridged = n4.peers().filter((p) => p.path === 'bridged').length;
  assert.equal(bridged, 25, 'every peer of the bridge, one page per hello');
  assert.deepEqual(n4.peer('n3')?.internal, { address: lan3, port: 4000 }, "the bridge's LAN endpoint");
  assert.ok(w.deliver('n4', 'p17', 3000));
  await w.stop();
});

test('a node that moves to another network is reachable again', async () => {
  const w = await SimWorld.create({ delayMs: 10 });
  w.addRendezvous();
  const a = w.addNode('a', 'port-restricted');
  const b = w.addNode('b', 'restricted');
  w.run(3000);
  assert.ok(w.deliver('a', 'b', 3000));
  assert.equal(a.peer('b')?.path, 'punched');
  const before = b.external;
  const nat2 = w.net.addNat(w.publicAddress(), 'port-restricted');
  w.net.move(w.hosts.get('b')!, '10.1.0.9', nat2);
  w.run(20_000);
  assert.notDeepEqual(b.external, before);
  assert.equal(b.counters.get('external_changed'), 1);
  assert.deepEqual(w.rdvs[0]!.table.get('b')?.ext, b.external);
  assert.ok(w.deliver('a', 'b', 3000), 'a reaches b after the move');
  assert.ok(w.deliver('b', 'a', 3000), 'b reaches a after the move');
  assert.equal(a.peer('b')?.path, 'punched');
  assert.deepEqual(a.peer('b')?.external, b.external);
  await w.stop();
});

test('a NAT that forgets its mappings: the node re-registers and is reachable again', async () => {
  const w = await SimWorld.create({ delayMs: 10 });
  w.addRendezvous();
  w.addNode('a', 'open');
  const b = w.addNode('b', 'full-cone');
  w.run(3000);
  const before = b.external;
  w.hosts.get('b')!.nat!.flush();
  w.run(20_000);
  assert.notDeepEqual(b.external, before);
  assert.ok(w.deliver('a', 'b', 3000));
  await w.stop();
});

test('paths survive when every rendezvous is down', async () => {
  const w = await SimWorld.create({ delayMs: 10 });
  w.addRendezvous();
  w.addRendezvous();
  const a = w.addNode('a', 'port-restricted');
  const b = w.addNode('b', 'full-cone');
  w.addNode('c', 'symmetric');
  w.run(3000);
  assert.ok(w.deliver('a', 'b', 3000));
  assert.ok(w.deliver('a', 'c', 3000));
  assert.equal(a.peer('b')?.path, 'punched');
  assert.equal(a.peer('c')?.path, 'relayed');
  for (const r of w.rdvs) await r.stop();
  w.run(5 * 60_000);
  assert.equal(a.peer('b')?.path, 'punched');
  assert.equal(b.peer('a')?.path, 'punched');
  assert.equal(a.peer('c')?.path, null, 'a relay-only peer has no path without a rendezvous');
  assert.equal(a.send('c', Buffer.from('x')), false);
  assert.ok(w.deliver('a', 'b'));
  assert.ok(w.deliver('b', 'a'));
  await w.stop();
});

test('20% loss with duplication and jitter: punching and relay still work', async () => {
  const w = await SimWorld.create({ seed: 3, loss: 0.2, duplicate: 0.2, delayMs: 30, jitterMs: 40 });
  w.addRendezvous();
  const a = w.addNode('a', 'port-restricted', { keepaliveMs: 5000 });
  w.addNode('b', 'restricted', { keepaliveMs: 5000 });
  w.addNode('c', 'symmetric', { keepaliveMs: 5000 });
  w.run(15_000);
  let ok = 0;
  for (let i = 0; i < 20; i++) ok += w.deliver('a', 'b', 1000) ? 1 : 0;
  assert.ok(ok >= 10, `a→b delivered ${ok}/20`);
  assert.equal(a.peer('b')?.path, 'punched');
  ok = 0;
  for (let i = 0; i < 20; i++) ok += w.deliver('a', 'c', 1000) ? 1 : 0;
  assert.ok(ok >= 7, `a→c delivered ${ok}/20 (two lossy hops)`);
  assert.equal(a.peer('c')?.path, 'relayed');
  assert.ok((w.net.stats.get('loss') ?? 0) > 0);
  await w.stop();
});

/** Bans `ids` at each of `at` (as SecureOverlay does on a revocation). */
function ban(at: NatmNode[], ids: string[]): void {
  const banned = new Set(ids);
  for (const n of at) {
    n.setBanned((id) => banned.has(id));
    for (const id of ids) n.forget(id);
  }
}

/** Sends a raw natm body from `n` to `to`, as a modified node could (the test's way in). */
function rawSend(n: NatmNode, to: Endpoint, body: Body): void {
  (n as unknown as { channel: Channel }).channel.send(to, body);
}

/** The Figure 2 bed: n1 public, n2 behind a NAT, n3 a bridge behind a firewall, n4 its child. */
function fig2(w: SimWorld): Record<'n1' | 'n2' | 'n3' | 'n4', NatmNode> {
  w.addRendezvous();
  const n1 = w.addNode('n1', 'open');
  const n2 = w.addNode('n2', 'port-restricted');
  const fw = w.net.addNat(w.publicAddress(), 'port-restricted');
  const n3 = w.addNode('n3', { nat: fw }, { bridge: true });
  const lan3 = w.hosts.get('n3')!.address;
  const n4 = w.addNode('n4', { nat: fw, isolated: true }, { bridgeVia: `${lan3}:4000` });
  w.run(20_000);
  for (const [a, b] of [
    ['n2', 'n1'],
    ['n4', 'n1'],
    ['n1', 'n4'],
  ] as const)
    assert.ok(w.deliver(a, b), `${a} → ${b}`);
  return { n1, n2, n3, n4 };
}

test('a banned (revoked) node: dropped, never answered, punched or forwarded for; the rest go on', async () => {
  const w = await SimWorld.create({ delayMs: 10 });
  const { n1, n2, n3 } = fig2(w);
  // Revoked: n2 at n1 and n3; n4 (a bridge child) at n1 only, so its bridge n3 still
  // forwards for it and n1 must refuse what arrives through n3 on its behalf.
  ban([n3], ['n2']);
  ban([n1], ['n2', 'n4']);
  const cutAt = w.clock.now();
  w.run(20_000);
  for (const n of [n1, n3]) {
    assert.ok(!n.peers().some((p) => p.id === 'n2'), `${n.selfId} lists n2`);
    assert.ok(n.counters.get('drop_banned') > 0, `${n.selfId} dropped their packets`);
    assert.equal(n.send('n2', Buffer.from('x')), false);
  }
  assert.ok(!n1.peers().some((p) => p.id === 'n4'), 'n1 lists n4');
  assert.equal(n1.counters.get('send_banned'), 1);
  assert.ok((n2.peer('n1')?.lastSeen ?? 0) <= cutAt + 100, 'n1 sent n2 nothing after the ban');
  assert.equal(w.deliver('n2', 'n1'), false, 'n2 cannot reach n1');
  const forwards = n3.counters.get('bridged_out');
  assert.equal(w.deliver('n4', 'n1'), false, 'n4 cannot reach n1 through its bridge');
  assert.ok(n3.counters.get('bridged_out') > forwards, 'n3 did forward it (n4 is not banned there)');
  assert.ok(w.deliver('n4', 'n3') && w.deliver('n3', 'n4'), 'n3 still serves its child');
  assert.ok(w.deliver('n1', 'n3') && w.deliver('n3', 'n1'), 'the others go on');
  await w.stop();
});

test('a banned node gets no relay, introduction or punch; a forward under another id is refused', async () => {
  const w = await SimWorld.create({ delayMs: 10 });
  const rdv = w.addRendezvous();
  const a = w.addNode('a', { nat: w.net.addNat(w.publicAddress(), 'symmetric') }); // LAN 10.1.0.3: tap-able
  const b = w.addNode('b', 'port-restricted'); // symmetric ↔ port-restricted: relayed only
  w.addNode('c', 'symmetric'); // symmetric ↔ symmetric: relayed only
  const d = w.addNode('d', 'open');
  w.run(15_000);
  assert.equal(a.peer('b')?.path, 'relayed');
  assert.equal(a.peer('c')?.path, 'relayed');
  ban([a], ['b']);
  // Every datagram a sends to b's public address (a punch or probe would go there).
  const bPublic = w.rdvs[0]!.table.get('b')!.ext!;
  let toB = 0;
  w.net.tap = (_d, from, to) => {
    if (from.address === w.hosts.get('a')!.address && to.address === bPublic.address) toB++;
  };
  const intros = b.counters.get('tx_intro-req');
  w.run(60_000);
  w.net.tap = undefined;
  assert.equal(w.deliver('b', 'a'), false, 'b cannot reach a through the relay');
  assert.equal(a.send('b', Buffer.from('x')), false);
  assert.ok(b.counters.get('tx_intro-req') > intros, 'b kept asking for introductions');
  assert.equal(toB, 0, 'a sent b nothing: no punch, no probe');
  assert.equal(a.book.get('b'), undefined, 'a did not learn b again');
  assert.ok(w.deliver('a', 'c') && w.deliver('c', 'a'), 'a relayed pair that is not banned goes on');
  // b speaks as c: the rendezvous refuses to relay it, and a refuses it on a direct path.
  const rdvEp = w.rdvEps[0]!;
  const fwd = (origin: string): Body => ({
    t: 'forward',
    origin,
    dest: 'a',
    ttl: 3,
    payload: Buffer.from('x'),
  });
  const spoofedAtRdv = rdv.counters.get('drop_relay_spoofed');
  rawSend(b, rdvEp, fwd('c'));
  w.run(200);
  assert.equal(rdv.counters.get('drop_relay_spoofed'), spoofedAtRdv + 1);
  assert.equal(d.peer('a')?.path, 'punched', 'd has its own path to a');
  const toA = d.book.get('a')!.ep!;
  rawSend(d, toA, fwd('c'));
  w.run(200);
  assert.equal(a.counters.get('drop_forward_spoofed'), 1, 'a refused d speaking as c');
  await w.stop();
});

test("a child whose bridge is banned stops using it and says so; the bridge's children are unreachable", async () => {
  const w = await SimWorld.create({ delayMs: 10 });
  const { n1, n3, n4 } = fig2(w);
  const lines: string[] = [];
  (n4 as unknown as { deps: { logger: { warn: (o: unknown, m: string) => void } } }).deps.logger.warn = (
    _o,
    m,
  ) => void lines.push(m);
  ban([n1, n4], ['n3']);
  w.run(2 * n4.cfg.pathTimeoutMs);
  const hellos = n3.counters.get('rx_child-hello');
  w.run(20_000);
  assert.equal(n3.counters.get('rx_child-hello'), hellos, 'no more child-hello to the banned bridge');
  assert.deepEqual(lines, ['our bridge is banned (revoked): not using it; set another bridgeVia']);
  assert.equal(n4.peer('n1')?.path ?? null, null, 'n4 has no path without its bridge');
  assert.equal(n1.peer('n4'), undefined, 'n1 forgot n4, reached only through the banned bridge');
  assert.equal(n1.send('n4', Buffer.from('x')), false);
  assert.ok(n1.counters.get('peers_behind_banned') >= 1);
  await w.stop();
});

test('a sender whose u32 packet counter runs out starts a new epoch: its peers keep taking its packets', async () => {
  const w = await SimWorld.create();
  w.addRendezvous();
  const a = w.addNode('a', 'open');
  w.addNode('b', 'open');
  w.run(3000);
  assert.ok(w.deliver('a', 'b'));
  const channel = (a as unknown as { channel: { seq: number } }).channel;
  channel.seq = 2 ** 32 - 2; // what 4 billion packets leave
  for (let k = 0; k < 3; k++) assert.ok(w.deliver('a', 'b', 500), `message ${k} across the counter's end`);
  assert.equal(a.counters.get('tx_error'), 0);
  assert.equal(w.nodes.get('b')!.counters.get('drop_replay'), 0);
  await w.stop();
});
