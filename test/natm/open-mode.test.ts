/**
 * Open (certificate) mode of natm and the rendezvous, below the certificates: the signed
 * envelope, sender ids bound to keys, namespaces at a keyless rendezvous, and the limits
 * that keep one cluster (or an outsider) from disturbing another. The certificate layer
 * on top is tested in test/membership/natm-secure.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { sodium } from '../../agent/lib/crypto/sodium.ts';
import { nodeIdOf } from '../../agent/lib/membership/node-id.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { SignedFramer } from '../../agent/lib/wire/envelope/signed-framer.ts';
import { NatmNode } from '../../agent/natm/natm-node.ts';
import { MAX_APP_PAYLOAD } from '../../agent/lib/net/overlay-link.ts';
import { MAX_DATAGRAM } from '../../agent/lib/net/datagram.ts';
import { encodePacket } from '../../agent/lib/wire/messages.ts';
import { rendezvousConfig } from '../../agent/rendezvous/config.ts';
import { SimWorld } from './sim-world.ts';

const NS_A = 'a'.repeat(32);
const NS_B = 'b'.repeat(32);

test('signed frame: round trip names the signer; any flipped bit, a short or foreign frame is refused', async () => {
  const s = await sodium();
  const f = SignedFramer.ephemeral(s);
  const plain = Buffer.from('natm plaintext');
  const sealed = f.seal(plain);
  assert.equal(sealed.length, plain.length + f.overhead);
  const ok = f.open(sealed);
  assert.ok(ok.ok);
  assert.deepEqual(Buffer.from(ok.plain), plain);
  assert.equal(ok.signer, f.signerId);
  assert.equal(f.signerId, nodeIdOf(sealed.subarray(2, 34)));
  // Every single-bit flip anywhere (header, key, body, signature) is caught.
  for (let i = 0; i < sealed.length; i++) {
    const bad = new Uint8Array(sealed);
    bad[i]! ^= 0x10;
    const r = f.open(bad);
    assert.equal(r.ok, false, `flip at byte ${i}`);
  }
  assert.deepEqual(f.open(sealed.subarray(0, 90)), { ok: false, reason: 'short' });
  const foreign = new Uint8Array(sealed);
  foreign[0] = 0xc5;
  assert.deepEqual(f.open(foreign), { ok: false, reason: 'bad_magic' });
  assert.deepEqual(f.open(new Uint8Array(MAX_DATAGRAM + 1)), { ok: false, reason: 'oversized' });
});

test('a keyless rendezvous registers nodes by namespace; a node never hears of another namespace', async () => {
  const w = await SimWorld.create();
  const r = w.addRendezvous({ open: true });
  const a1 = w.addOpenNode('open', NS_A);
  const a2 = w.addOpenNode('port-restricted', NS_A);
  const b1 = w.addOpenNode('open', NS_B);
  w.run(5000);
  assert.equal(r.tableOf(NS_A).size(), 2);
  assert.equal(r.tableOf(NS_B).size(), 1);
  assert.equal(r.table.size(), 0, 'no "" table in open mode');
  assert.equal(a1.stats()['envelope'], 'open');
  assert.equal(a1.stats()['namespace'], NS_A);
  assert.deepEqual(
    a1.peers().map((p) => p.id),
    [a2.selfId],
  );
  assert.deepEqual(b1.peers(), []);
  // Messages flow within the namespace (punched or relayed) and not across it.
  let got = 0;
  a2.onMessage(() => got++);
  for (let i = 0; i < 5 && got === 0; i++) {
    a1.send(a2.selfId, Uint8Array.of(1));
    w.run(500);
  }
  assert.ok(got > 0);
  assert.equal(b1.send(a1.selfId, Uint8Array.of(1)), false, 'unknown peer');
  await w.stop();
});

test('a packet under another node id than its key is dropped and counted', async () => {
  const w = await SimWorld.create();
  w.addRendezvous({ open: true });
  const victim = w.addOpenNode('open', NS_A);
  const target = w.addOpenNode('open', NS_A);
  w.run(3000);
  const s = await sodium();
  const forger = SignedFramer.ephemeral(s);
  const host = w.net.addHost(w.publicAddress());
  const sock = host.bind(4000);
  assert.ok(target.peer(victim.selfId)?.path, 'target knows the victim');
  const targetEp = victim.peer(target.selfId)!.external!;
  const before = target.peer(victim.selfId)!.external;
  for (let seq = 0; seq < 3; seq++)
    sock.send(
      forger.seal(
        encodePacket({
          sender: victim.selfId,
          epoch: 1,
          seq,
          body: { t: 'probe', token: 1, ack: false, echo: 0 },
        }),
      ),
      targetEp,
    );
  w.run(200);
  assert.equal(target.counters.get('drop_signer_mismatch'), 3);
  assert.deepEqual(target.peer(victim.selfId)!.external, before, 'the victim’s path is untouched');
  await w.stop();
});

test('open rendezvous refusals: empty or unlisted namespace, too many namespaces, a bridge claiming a registered node', async () => {
  const w = await SimWorld.create();
  const r = w.addRendezvous({ open: true, namespaces: [NS_A, NS_B], maxNamespaces: 1 });
  w.addOpenNode('open', '');
  w.addOpenNode('open', 'c'.repeat(32));
  const a = w.addOpenNode('open', NS_A);
  w.addOpenNode('open', NS_B);
  w.run(3000);
  assert.ok(r.counters.get('drop_namespace_mode') > 0, 'open mode needs a namespace');
  assert.ok(r.counters.get('drop_namespace_refused') > 0, 'not in the allow-list');
  assert.ok(r.counters.get('drop_namespaces_full') > 0, 'maxNamespaces 1');
  assert.equal(r.tableOf(NS_A).size(), 1);
  // A bridge in NS_A lists `a` (registered directly) as its child: a's own entry stands.
  const bridge = w.addOpenNode('open', NS_A, { bridge: true });
  w.run(1000);
  const aExt = r.tableOf(NS_A).get(a.selfId)!.ext;
  assert.ok(aExt);
  // Child lists come from the bridge's own registrations; simulate one naming `a`.
  (bridge as unknown as { router: { children: Map<string, unknown> } }).router.children.set(a.selfId, {
    ep: aExt,
    last: w.clock.now(),
    cursor: 0,
  });
  w.run(16_000);
  assert.deepEqual(r.tableOf(NS_A).get(a.selfId)!.ext, aExt);
  assert.equal(r.tableOf(NS_A).get(a.selfId)!.via, undefined);
  await w.stop();
});

test('payload budget: an open node takes less than MAX_APP_PAYLOAD, and its largest relayed message fits a datagram', async () => {
  const w = await SimWorld.create();
  w.addRendezvous({ open: true });
  const a = w.addOpenNode('symmetric', NS_A);
  const b = w.addOpenNode('symmetric', NS_A);
  w.run(3000);
  assert.ok(a.maxPayload < MAX_APP_PAYLOAD);
  assert.equal(b.peer(a.selfId)?.path, 'relayed');
  let got = 0;
  b.onMessage((_f, p) => (got = p.length));
  assert.equal(a.send(b.selfId, new Uint8Array(a.maxPayload + 1)), false);
  assert.equal(a.counters.get('send_oversized'), 1);
  assert.ok(a.send(b.selfId, new Uint8Array(a.maxPayload)));
  w.run(500);
  assert.equal(got, a.maxPayload);
  assert.equal(a.counters.get('tx_error'), 0);
  await w.stop();
});

test('config: an open rendezvous holds no cluster key; natm needs a key or an identity dir; ids must match keys', async () => {
  assert.throws(() => rendezvousConfig({ id: 'r', open: true, clusterKeys: ['x'] }), { code: 'CONFIG' });
  assert.throws(() => rendezvousConfig({ id: 'r', namespaces: [NS_A], clusterKeys: ['x'] }), {
    code: 'CONFIG',
  });
  assert.throws(() => rendezvousConfig({ id: 'r', open: true, namespaces: ['UPPER'] }), { code: 'CONFIG' });
  assert.throws(() => natmConfig({ id: 'n', rendezvous: ['198.18.0.1:3478'] }), { code: 'CONFIG' });
  const ok = natmConfig({ id: 'n', rendezvous: ['198.18.0.1:3478'], identityDir: '/var/lib/p2p-update/id' });
  assert.deepEqual(ok.clusterKeys, []);
  const w = await SimWorld.create();
  const s = await sodium();
  const framer = SignedFramer.ephemeral(s);
  const socket = w.net.addHost(w.publicAddress()).bind(4000);
  assert.throws(
    () =>
      new NatmNode({ socket, sealer: framer, clock: w.clock, logger: silentLogger() }, { ...ok, id: 'n' }),
    { code: 'CONFIG' },
  );
  await w.stop();
});

test('an open rendezvous bounds signature checks per source address; other nodes are served', async () => {
  const w = await SimWorld.create();
  const r = w.addRendezvous({ open: true, sourceRatePerSec: 100, sourceBurst: 200 });
  const a = w.addOpenNode('open', NS_A);
  w.run(2000);
  const s = await sodium();
  const junkMaker = SignedFramer.ephemeral(s);
  const junk = junkMaker.seal(new Uint8Array(60).fill(7));
  junk[junk.length - 1]! ^= 1; // a bad signature: costs a verification if admitted
  const flooder = w.net.addHost(w.publicAddress()).bind(5000);
  const rdvEp = w.rdvEps[0]!;
  for (let i = 0; i < 1000; i++) flooder.send(junk, rdvEp);
  w.run(100);
  const checked = r.counters.get('drop_bad_signature');
  assert.equal(checked + r.counters.get('drop_source_rate'), 1000, 'every junk packet dropped and counted');
  assert.ok(checked <= 200 + 10 + 1, `at most the burst (+refill) was verified, got ${checked}`);
  const b = w.addOpenNode('open', NS_A);
  w.run(3000);
  assert.equal(r.tableOf(NS_A).size(), 2, 'legitimate nodes still register');
  assert.ok(a.peer(b.selfId));
  await w.stop();
});
