import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { decodePacket, encodePacket } from '../../agent/lib/gossip/codec.ts';
import { GossipNode } from '../../agent/lib/gossip/gossip-node.ts';
import { CHUNK_SIZE, MAX_BLOB } from '../../agent/lib/gossip/messages.ts';
import { makeBlob } from '../../agent/lib/gossip/sim/blob.ts';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';
import { OverlayNetwork } from '../../agent/lib/simnet/overlay-network.ts';
import { mulberry32 } from '../../agent/lib/simnet/prng.ts';

test('a notification the managers refuse is never spread beyond the nodes that fetched it from the origin', () => {
  const c = new SimCluster({ n: 100, seed: 21 });
  c.clock.advance(3000);
  const { id } = makeBlob('app://fw', 9, 5000);
  c.refused.add(id);
  c.publish('n0', 'app://fw', 9, 5000);
  c.clock.advance(20_000);
  const offered = c.offered.get(id) ?? 0;
  assert.ok(offered > 0, 'some nodes fetched it from the origin and asked their manager');
  assert.deepEqual([...c.offeredFrom.get(id)!], ['n0'], 'only ever fetched from the origin');
  assert.equal(c.holders(id), 1, 'nobody but the origin holds or serves it');
  for (const x of c.ids.slice(1)) assert.equal(c.node(x).notifications.counters.relayed, 0);
  c.clock.advance(100_000); // several anti-entropy rounds: more nodes may ask the origin, once each
  assert.deepEqual([...c.offeredFrom.get(id)!], ['n0'], 'still only ever fetched from the origin');
  assert.equal(c.holders(id), 1);
  for (const x of c.ids.slice(1))
    assert.ok(c.node(x).notifications.counters.refused <= 1, `${x} refused it once at most`);
  assert.ok((c.offered.get(id) ?? 0) <= 99);
  c.stop();
});

test('a 2 MiB notification is fetched in chunks, intact, by every node', () => {
  const c = new SimCluster({ n: 6, seed: 22 });
  c.clock.advance(2000);
  const id = c.publish('n0', 'app://big', 1, MAX_BLOB);
  const t = c.runUntil(() => c.holders(id) === 6, 120_000, 200);
  assert.ok(t > 0, `all hold it after ${t} ms`);
  const a = c.node('n5').notifications.store.get(id)!.bytes;
  assert.equal(createHash('sha256').update(a).digest('hex'), id);
  c.stop();
});

/** One real GossipNode ("victim") and a raw link ("evil") that speaks the wire format directly. */
function victimAndEvil(init = {}) {
  const clock = new FakeClock();
  const random = mulberry32(99);
  const net = new OverlayNetwork(clock, random, { peers: 'all' });
  const vlink = net.addNode('victim');
  const evil = net.addNode('evil');
  const victim = new GossipNode({ link: vlink, clock, random }, init);
  victim.start();
  return { clock, net, evil, victim };
}

test('bytes that do not hash to the announced id are dropped, never handed up', () => {
  const { clock, evil, victim } = victimAndEvil();
  const real = makeBlob('app://fw', 2, 3000);
  evil.onMessage((from, payload) => {
    const p = decodePacket(payload);
    if (p?.body.type !== 'fetch') return;
    const data = real.bytes.slice(p.body.offset, p.body.offset + CHUNK_SIZE).fill(7); // tampered
    evil.send(
      from,
      encodePacket({
        body: { type: 'chunk', id: p.body.id, offset: p.body.offset, total: 3000, missing: false, data },
        items: [],
      }),
    );
  });
  let offered = 0;
  victim.onNotification(() => offered++);
  evil.send(
    'victim',
    encodePacket({
      body: { type: 'gossip' },
      items: [{ kind: 'announce', id: real.id, uri: 'app://fw', version: 2, size: 3000 }],
    }),
  );
  clock.advance(10_000);
  assert.equal(offered, 0);
  assert.equal(victim.notifications.counters.abandoned, 1);
  assert.equal(
    victim.notifications.seen.get(real.id),
    undefined,
    'forgotten, so an honest holder can serve it later',
  );
  victim.stop();
});

test('a flood from a member keeps every queue, table and cache within its bound; junk is counted', () => {
  const bounds = {
    maxMembers: 300,
    maxBroadcasts: 100,
    seenCacheSize: 200,
    maxQueuedFetches: 16,
    maxActiveFetches: 2,
    maxPendingProbes: 8,
  };
  const { clock, evil, victim } = victimAndEvil(bounds);
  const rnd = mulberry32(5);
  const hex = () => createHash('sha256').update(String(rnd())).digest('hex');
  for (let i = 0; i < 2000; i++) {
    const items = [];
    for (let k = 0; k < 10; k++) {
      items.push({
        kind: 'announce' as const,
        id: hex(),
        uri: `app://u${i % 50}-${k}`,
        version: i,
        size: 50_000,
      });
      items.push({ kind: 'member' as const, status: 'alive' as const, id: `m${i}-${k}`, incarnation: 1 });
    }
    items.push({
      kind: 'state' as const,
      record: {
        node: `s${i}`,
        seq: i,
        agentVersion: 'x',
        applied: {},
        current: null,
        btPort: 0,
        have: [],
        tags: '',
      },
      sig: null,
    });
    evil.send('victim', encodePacket({ body: { type: 'gossip' }, items }));
    evil.send('victim', encodePacket({ body: { type: 'ping-req', seq: i, target: `m${i}-0` }, items: [] }));
    evil.send('victim', new Uint8Array([1, 4, 200, 1, 2, 3]));
    if (i % 100 === 0) clock.advance(50);
    const n = victim.notifications;
    assert.ok(victim.membership.table.size <= bounds.maxMembers);
    assert.ok(victim.queue.size <= bounds.maxBroadcasts);
    assert.ok(n.seen.size <= bounds.seenCacheSize);
    assert.ok(n.fetcher.queuedCount <= bounds.maxQueuedFetches);
    assert.ok(n.fetcher.activeCount <= bounds.maxActiveFetches);
    assert.ok(victim.fleet.size <= bounds.maxMembers);
  }
  clock.advance(60_000);
  assert.equal(victim.counters.badPackets, 2000);
  assert.equal(victim.counters.handlerErrors, 0);
  assert.ok(
    victim.membership.table.overflow > 0 &&
      victim.queue.dropped > 0 &&
      victim.notifications.fetcher.dropped > 0,
  );
  victim.stop();
});
