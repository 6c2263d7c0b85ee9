/** natm scenarios on the simulated network: LAN, bridge, roaming, rendezvous outage, loss. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
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

test('a banned (revoked) node: dropped, never answered, punched or forwarded for; the rest go on', async () => {
  const w = await SimWorld.create({ delayMs: 10 });
  w.addRendezvous();
  const n1 = w.addNode('n1', 'open');
  const n2 = w.addNode('n2', 'port-restricted');
  const fw = w.net.addNat(w.publicAddress(), 'port-restricted');
  const n3 = w.addNode('n3', { nat: fw }, { bridge: true });
  const lan3 = w.hosts.get('n3')!.address;
  w.addNode('n4', { nat: fw, isolated: true }, { bridgeVia: `${lan3}:4000` });
  w.run(20_000);
  for (const [a, b] of [
    ['n2', 'n1'],
    ['n4', 'n1'],
    ['n1', 'n4'],
  ] as const)
    assert.ok(w.deliver(a, b), `${a} → ${b}`);
  // Revoked: n2 everywhere, and n4 (a bridge child) at its bridge n3 and at n1.
  const banned = new Set(['n2', 'n4']);
  for (const n of [n1, n3]) {
    n.setBanned((id) => banned.has(id));
    for (const id of banned) n.forget(id);
  }
  const cutAt = w.clock.now();
  w.run(20_000);
  for (const n of [n1, n3]) {
    assert.deepEqual(
      n
        .peers()
        .map((p) => p.id)
        .filter((id) => banned.has(id)),
      [],
      `${n.selfId} lists no banned peer`,
    );
    assert.ok(n.counters.get('drop_banned') > 0, `${n.selfId} dropped their packets`);
    assert.equal(n.send('n2', Buffer.from('x')), false);
  }
  assert.equal(n1.counters.get('send_banned'), 1);
  assert.deepEqual(n3.stats().children, [], 'the bridge forgot its banned child');
  assert.ok((n2.peer('n1')?.lastSeen ?? 0) <= cutAt + 100, 'n1 sent n2 nothing after the ban');
  assert.equal(w.deliver('n2', 'n1'), false, 'n2 cannot reach n1');
  assert.equal(w.deliver('n4', 'n1'), false, 'n4 cannot reach n1 through its bridge');
  assert.ok(w.deliver('n1', 'n3') && w.deliver('n3', 'n1'), 'the others go on');
  await w.stop();
});
