/**
 * The Figure 2 topology behaves like the paper's: plain UDP (node:dgram) between udp-agent
 * processes in every namespace. Runs as root (network namespaces, nftables).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FailureGuard } from './harness/guard.ts';
import { Topology } from './harness/topology.ts';
import { UdpProbe } from './harness/udp-probe.ts';

const FWD = 4100;
const QUIET_MS = 1500; // how long "nothing arrives" is watched for

describe('Figure 2 topology (netns, nftables)', () => {
  const guard = new FailureGuard();
  let topo: Topology;
  let rdv: UdpProbe, n1: UdpProbe, n2: UdpProbe, n3: UdpProbe, n4: UdpProbe;
  let ip: (n: 'n1' | 'n2' | 'n3' | 'n4') => string;

  before(async () => {
    topo = await Topology.create({ prefix: 'p2pe-t-', forwardedUdpPort: FWD });
    ip = (n) => topo.node(n).ip;
    const start = (ns: string) => UdpProbe.start(topo, ns);
    const node = (n: 'n1' | 'n2' | 'n3' | 'n4') => start(topo.node(n).ns);
    [rdv, n1, n2, n3, n4] = await Promise.all([
      start(topo.plan.ns.rdv),
      node('n1'),
      node('n2'),
      node('n3'),
      node('n4'),
    ]);
    await Promise.all([
      rdv.bind('r', 3478, true),
      rdv.bind('r2', 3479, true),
      n1.bind('p', 5000, true),
      n2.bind('a', 6000),
      n3.bind('f', FWD, true),
      n3.bind('o', 4200),
      n4.bind('m', 4300),
    ]);
  });

  after(async () => {
    await topo?.destroy({ keepFiles: guard.failed });
  });

  it(
    'node 2 reaches the public side through the NAT, with its port preserved, and the reply comes back',
    guard.wrap(async () => {
      n2.send('a', topo.plan.rdvIp, 3478, 'hello-rdv');
      const seen = await rdv.waitFor((e) => e.ev === 'recv' && e.data === 'hello-rdv', 3000);
      assert.equal(seen?.from, topo.plan.natWanIp, 'the rendezvous sees the NAT router address');
      assert.equal(seen?.fromPort, 6000, 'masquerade preserves the source port');
      const back = await n2.waitFor((e) => e.ev === 'recv' && e.data === 'echo:hello-rdv', 3000);
      assert.equal(back?.from, topo.plan.rdvIp);
      n2.send('a', ip('n1'), 5000, 'hello-n1');
      const seen1 = await n1.waitFor((e) => e.ev === 'recv' && e.data === 'hello-n1', 3000);
      assert.deepEqual(
        [seen1?.from, seen1?.fromPort],
        [topo.plan.natWanIp, 6000],
        'same mapping for every peer',
      );
    }),
  );

  it(
    'the NAT filters like a port-restricted cone: nothing unsolicited reaches node 2',
    guard.wrap(async () => {
      n1.send('p', topo.plan.natWanIp, 6000, 'unsolicited-1'); // n2 did talk to n1:5000 ... but not from here
      rdv.send('r2', topo.plan.natWanIp, 6000, 'unsolicited-2'); // known host, other port
      rdv.send('r', topo.plan.natWanIp, 7000, 'unsolicited-3'); // unmapped port
      await new Promise((r) => setTimeout(r, QUIET_MS));
      for (const d of ['unsolicited-2', 'unsolicited-3']) assert.equal(n2.received('a', d).length, 0, d);
      // n1:5000 was contacted by node 2 in the previous test, so its datagram is expected to pass
      assert.equal(n2.received('a', 'unsolicited-1').length, 1, 'a contacted endpoint may answer (cone)');
    }),
  );

  it(
    'the forwarded UDP port reaches node 3 from anywhere, and node 3 answers through it',
    guard.wrap(async () => {
      n1.send('p', topo.plan.fwWanIp, FWD, 'to-fwd-port');
      const got = await n3.waitFor((e) => e.ev === 'recv' && e.data === 'to-fwd-port', 3000);
      assert.deepEqual([got?.id, got?.from, got?.fromPort], ['f', ip('n1'), 5000]);
      const back = await n1.waitFor((e) => e.ev === 'recv' && e.data === 'echo:to-fwd-port', 3000);
      assert.deepEqual([back?.from, back?.fromPort], [topo.plan.fwWanIp, FWD]);
    }),
  );

  it(
    'nothing else crosses the firewall inbound, not even with a route to the LAN',
    guard.wrap(async () => {
      await topo.exec(topo.node('n1').ns, 'ip', ['route', 'add', '10.2.0.0/24', 'via', topo.plan.fwWanIp]);
      const before = await topo.counters('fw');
      n1.send('p', topo.plan.fwWanIp, 4200, 'in-4200');
      n1.send('p', topo.plan.fwWanIp, 4300, 'in-4300');
      n1.send('p', ip('n3'), 4200, 'routed-n3');
      n1.send('p', ip('n4'), 4300, 'routed-n4');
      n1.send('p', ip('n4'), FWD, 'routed-n4-fwd');
      await new Promise((r) => setTimeout(r, QUIET_MS));
      await topo.exec(topo.node('n1').ns, 'ip', ['route', 'del', '10.2.0.0/24']);
      assert.deepEqual(
        n3.events.filter((e) => e.ev === 'recv' && e.id === 'o').map((e) => e.data),
        [],
        'node 3 got nothing on an unforwarded port',
      );
      assert.deepEqual(
        n4.events.filter((e) => e.ev === 'recv').map((e) => e.data),
        [],
        'node 4 got nothing',
      );
      const now = await topo.counters('fw');
      assert.ok(
        now['wan_in']!.packets >= before['wan_in']!.packets + 2,
        'the routed probes reached the firewall',
      );
    }),
  );

  it(
    'node 3 (bridge) talks out statefully; node 4 cannot reach the public side at all',
    guard.wrap(async () => {
      n3.send('o', topo.plan.rdvIp, 3478, 'n3-out');
      const back = await n3.waitFor((e) => e.ev === 'recv' && e.data === 'echo:n3-out', 3000);
      assert.equal(back?.id, 'o');
      const dropsBefore = (await topo.counters('fw'))['dropped_isolated']!.packets;
      n4.send('m', topo.plan.rdvIp, 3478, 'n4-out-rdv');
      n4.send('m', ip('n1'), 5000, 'n4-out-n1');
      await new Promise((r) => setTimeout(r, QUIET_MS));
      assert.equal(rdv.received('r', 'n4-out-rdv').length, 0);
      assert.equal(n1.received('p', 'n4-out-n1').length, 0);
      assert.equal((await topo.counters('fw'))['dropped_isolated']!.packets, dropsBefore + 2);
      assert.equal(
        (await topo.counters('fw'))['wan_in_isolated']!.packets,
        1,
        'only the routed probe to node 4',
      );
    }),
  );

  it(
    'nodes 3 and 4 talk directly on their LAN',
    guard.wrap(async () => {
      n3.send('o', ip('n4'), 4300, 'lan-3-to-4');
      const got = await n4.waitFor((e) => e.ev === 'recv' && e.data === 'lan-3-to-4', 3000);
      assert.deepEqual([got?.from, got?.fromPort], [ip('n3'), 4200]);
      n4.send('m', ip('n3'), 4200, 'lan-4-to-3');
      const got3 = await n3.waitFor((e) => e.ev === 'recv' && e.data === 'lan-4-to-3', 3000);
      assert.equal(got3?.from, ip('n4'));
    }),
  );
});
