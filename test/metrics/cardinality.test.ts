/**
 * Label cardinality stays bounded whatever peers send (docs/metrics.md §Bounds): hostile
 * nodes with thousands of distinct ids, sources and message types, and a manager holding
 * thousands of URIs, leave the series count of every registry where a few did.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Registry } from 'prom-client';
import { ManagerMetrics, MAX_URI_SERIES } from '../../agent/manager/metrics.ts';
import type { UriRecord } from '../../agent/manager/model.ts';
import { natmRegistry } from '../../agent/natm/metrics.ts';
import type { NatmNode } from '../../agent/natm/natm-node.ts';
import { rendezvousRegistry } from '../../agent/rendezvous/metrics.ts';
import type { RendezvousServer } from '../../agent/rendezvous/server.ts';
import { MAX_LABEL_VALUES } from '../../agent/lib/metrics/counter-view.ts';
import { decodePacket, encodePacket, type Body } from '../../agent/lib/wire/messages.ts';
import { seeded, SimWorld } from '../natm/sim-world.ts';

async function series(registry: Registry): Promise<number> {
  return (await registry.getMetricsAsJSON()).reduce((n, m) => n + m.values.length, 0);
}

const natmView = (w: SimWorld, a: NatmNode) =>
  natmRegistry({
    counters: a.counters,
    peers: () => a.peers(),
    rendezvous: () => a.rdv.snapshot(w.clock.now(), a.cfg.pathTimeoutMs),
    pendingPunches: () => a.pendingPunches(),
    udpSendErrors: () => 0,
    members: () => [],
    gossip: () => ({}),
  });

const rdvView = (r: RendezvousServer) =>
  rendezvousRegistry({
    counters: r.counters,
    sessions: () => r.sessions(),
    namespaces: () => r.namespaceCount(),
  });

const BODIES: Body[] = [
  { t: 'register', internals: [], known: 0, children: [], ns: '' },
  { t: 'table', version: 1, more: false, push: true, entries: [] },
  { t: 'intro-req', target: 'a' },
  { t: 'probe', token: 1, ack: false, echo: 0 },
  { t: 'data', payload: Uint8Array.of(1) },
  { t: 'forward', origin: 'x', dest: 'a', ttl: 3, payload: Uint8Array.of(1) },
  { t: 'child-hello', internals: [] },
  { t: 'child-ack' },
];

/** Garbage datagrams (a fixed pool, so the drop reasons they hit are the same every round). */
const rnd = seeded(1);
const JUNK = Array.from({ length: 64 }, () =>
  Uint8Array.from({ length: 1 + Math.floor(rnd() * 1400) }, () => rnd() * 256),
);

/**
 * `n` hostile senders, each with its own id and source port: sealed packets of every type, and
 * garbage. Each answers the probes it gets (it owns its address: return routability lets it
 * in, docs/protocol/natm.md §Admission) and registers again once its address is proven.
 */
function attack(w: SimWorld, targets: readonly { address: string; port: number }[], from: number, n: number) {
  const sealer = w.sealer();
  const host = w.net.addHost(w.publicAddress());
  const socks = [];
  for (let i = from; i < from + n; i++) {
    const sock = host.bind(1000 + (i % 60_000));
    socks.push(sock);
    let seq = BODIES.length;
    sock.onMessage((data, src) => {
      const opened = sealer.open(data);
      const d = opened.ok ? decodePacket(opened.plain) : undefined;
      if (!d?.ok || d.packet.body.t !== 'probe' || d.packet.body.token === 0) return;
      const body: Body = { t: 'probe', token: 1, ack: true, echo: d.packet.body.token };
      sock.send(sealer.seal(encodePacket({ sender: `evil${i}`, epoch: 1, seq: seq++, body })), src);
    });
    for (const [k, body] of BODIES.entries()) {
      const plain = encodePacket({ sender: `evil${i}`, epoch: 1, seq: k, body });
      for (const to of targets) sock.send(sealer.seal(plain), to);
    }
    for (const to of targets) sock.send(JUNK[i % JUNK.length]!, to);
  }
  w.run(1000);
  for (const [k, sock] of socks.entries()) {
    const plain = encodePacket({ sender: `evil${from + k}`, epoch: 2, seq: 0, body: BODIES[0]! });
    sock.send(sealer.seal(plain), targets[1]!);
  }
}

test('natm and rendezvous: 200 or 2,200 hostile senders with distinct ids give the same series count', async () => {
  const w = await SimWorld.create();
  const r = w.addRendezvous({ maxSessions: 5000, sessionsPerSource: 5000 });
  const a = w.addNode('a', 'open', { maxPeers: 5000 });
  w.addNode('b', 'open');
  w.run(3000);
  const natm = natmView(w, a);
  const rdv = rdvView(r);
  const targets = [w.hosts.get('a')!.socket(4000)!.local(), w.rdvEps[0]!];
  attack(w, targets, 0, 200);
  w.run(5000);
  const [natmFew, rdvFew] = [await series(natm), await series(rdv)];
  attack(w, targets, 200, 2000);
  w.run(5000);
  assert.ok(r.sessions() > 1000, `the hostile ids registered: ${r.sessions()} sessions`);
  assert.ok(a.peers().length > 1000, `the hostile ids became peers: ${a.peers().length}`);
  assert.ok(a.counters.sum('drop_') > 2000, 'the hostile packets were dropped and counted');
  assert.equal(await series(natm), natmFew, 'natm: no series per sender');
  assert.equal(await series(rdv), rdvFew, 'rendezvous: no series per sender');
  assert.ok(natmFew < 100 && rdvFew < 100, `${natmFew} natm, ${rdvFew} rendezvous series`);
  await w.stop();
});

const uriRecord = (version: number): UriRecord => ({
  highestAccepted: version,
  applied: version,
  appliedAt: 1,
  current: {
    version,
    infoHash: '0'.repeat(40),
    name: 'p',
    length: 1,
    sha256: '0'.repeat(64),
    state: 'applied',
    at: {},
    progress: 1,
    lastError: null,
    deployAttempts: 1,
    nextAttemptAt: null,
    deployPid: null,
  },
});

test('manager: 10,000 URIs and 1,000 distinct refusal codes stay within the per-URI and per-label bounds', async () => {
  const uris: Record<string, UriRecord> = {};
  const m = new ManagerMetrics(() => uris);
  for (let i = 0; i < 10_000; i++) uris[`app:/hostile/${i}`] = uriRecord(i + 1);
  for (let i = 0; i < 1000; i++) m.refused(`CODE_${i}`, i % 2 ? 'natm' : `source${i}`);
  for (let i = 0; i < 1000; i++) m.received(`src${i}`, 'refused');
  const json = await m.registry.getMetricsAsJSON();
  const of = (name: string) => json.find((f) => f.name === name)!.values;
  assert.equal(of('p2pu_manager_uris')[0]!.value, 10_000, 'every URI is counted');
  for (const name of ['uri_applied_version', 'uri_current_version', 'uri_state'])
    assert.equal(of(`p2pu_manager_${name}`).length, MAX_URI_SERIES, name);
  assert.ok(of('p2pu_manager_refusals_total').length <= (MAX_LABEL_VALUES + 1) * 9);
  assert.ok(of('p2pu_manager_updates_received_total').length <= 9);
  const sum = of('p2pu_manager_refusals_total').reduce((s, v) => s + v.value, 0);
  assert.equal(sum, 1000, 'refusals beyond the bound still count, as "other"');
  assert.ok((await series(m.registry)) < 3 * MAX_URI_SERIES + 300);
});
