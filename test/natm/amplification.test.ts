/**
 * Issue 16, item 9: amplification. As found: one 149-byte `probe` to a node drew 16
 * packets / 2,890 bytes (Noise handshake attempts to whatever address it learned), ≈ 19×;
 * STUN ≈ 4×. Here every kind of packet is sent once, from a spoofed address (a victim that
 * never answers), to a node (open mode, certificates on top, as shipped), to a bridge and to
 * an open rendezvous on the simulated network, and everything sent to the victim in the next
 * two minutes is counted: bytes out ≤ bytes in, for every type. The table it prints is the
 * one in docs/security.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { clusterNamespace } from '../../agent/lib/membership/namespace.ts';
import type { Endpoint } from '../../agent/lib/net/datagram.ts';
import type { SimSocket } from '../../agent/lib/simnet/sim-host.ts';
import type { Body } from '../../agent/lib/wire/messages.ts';
import { bindingRequest } from '../../agent/lib/wire/stun-codec.ts';
import { makeCa, makeNode, type TestCa } from '../membership/fixtures.ts';
import { addMember, type SimMember } from '../membership/sim-member.ts';
import { Forger } from './forger.ts';
import { SimWorld } from './sim-world.ts';

interface Row {
  to: string;
  kind: string;
  bytesIn: number;
  bytesOut: number;
  packetsOut: number;
}

describe('amplification: one packet from a spoofed address, every type', () => {
  let w: SimWorld;
  let ca: TestCa;
  let ns: string;
  let forger: Forger;
  let node: SimMember;
  let bridge: SimMember;
  const rows: Row[] = [];
  let out = { bytes: 0, packets: 0, to: '' };

  before(async () => {
    await membershipReady();
    ca = await makeCa('plant');
    ns = clusterNamespace(ca.publicKey, ca.cluster);
    w = await SimWorld.create({ delayMs: 10 });
    const t0 = w.clock.now();
    w.addRendezvous({ open: true });
    node = addMember(w, ca, await makeNode(ca), t0);
    bridge = addMember(w, ca, await makeNode(ca), t0, 'open', { bridge: true });
    for (let i = 0; i < 12; i++) w.addOpenNode('open', ns); // full table pages for a register
    forger = await Forger.create();
    w.net.tap = (data, _from, to) => {
      if (to.address !== out.to) return;
      out.bytes += data.length;
      out.packets++;
    };
    w.run(20_000);
  });

  after(async () => {
    console.log(
      '# | sent to | packet (from a spoofed address) | bytes in | bytes out | packets out | factor |',
    );
    for (const r of rows)
      console.log(
        `# | ${r.to} | ${r.kind} | ${r.bytesIn} | ${r.bytesOut} | ${r.packetsOut} | ${(r.bytesOut / r.bytesIn).toFixed(2)} |`,
      );
    await w.stop();
  });

  /**
   * Delivers the packet `make` builds to `sock` as if from a fresh victim address (or from
   * `from`, naming the victim inside), then counts what goes to the victim for 2 minutes.
   */
  function shoot(
    to: string,
    kind: string,
    sock: SimSocket,
    make: (victim: Endpoint) => Uint8Array,
    from?: Endpoint,
  ): Row {
    const victim: Endpoint = { address: w.publicAddress(), port: 4000 };
    w.net.addHost(victim.address).bind(4000); // it exists, and never answers
    out = { bytes: 0, packets: 0, to: victim.address };
    const bytes = make(victim);
    sock.receive(bytes, from ?? victim);
    w.run(120_000);
    const row = { to, kind, bytesIn: bytes.length, bytesOut: out.bytes, packetsOut: out.packets };
    rows.push(row);
    return row;
  }

  const sig = (body: Body) => () => forger.packet(body);
  /** Every row over its bound, in one message (so a failure shows them all). */
  const over = (list: Row[], bound = (r: Row) => r.bytesIn) =>
    list
      .filter((r) => r.bytesOut > bound(r))
      .map((r) => `${r.kind}: ${r.bytesOut} bytes out for ${r.bytesIn} in`);
  const hs1 = () => {
    const p = new Uint8Array(49);
    p[0] = 1;
    p.set(randomBytes(32), 17);
    return p;
  };

  it('to a node: no packet type draws more bytes than it carried', () => {
    const s = node.host.socket(4000)!;
    const id = forger.identity();
    const cases: [string, () => Uint8Array][] = [
      ['probe', sig({ t: 'probe', token: 1, ack: false, echo: 0 })],
      ['probe ack', sig({ t: 'probe', token: 1, ack: true, echo: 0 })],
      ['data (Noise HS1)', sig({ t: 'data', payload: hs1() })],
      ['data (junk)', sig({ t: 'data', payload: randomBytes(200) })],
      [
        'forward to the node',
        () =>
          forger.packet(
            { t: 'forward', origin: id.signerId, dest: node.node.nodeId, ttl: 3, payload: hs1() },
            id,
          ),
      ],
      ['register', sig({ t: 'register', internals: [], known: 0, children: [], ns })],
      ['intro-req', sig({ t: 'intro-req', target: bridge.node.nodeId })],
      ['child-hello (no bridge)', sig({ t: 'child-hello', internals: [] })],
      ['child-ack', sig({ t: 'child-ack' })],
      ['table', sig({ t: 'table', version: 1, more: false, push: true, entries: [] })],
      ['STUN Binding request', () => bindingRequest().bytes],
    ];
    assert.deepEqual(over(cases.map(([kind, make]) => shoot('node', kind, s, make))), []);
  });

  it('to a bridge: a child-hello draws no more than it carried', () => {
    const s = bridge.host.socket(4000)!;
    const r = shoot('bridge', 'child-hello', s, (v) => forger.packet({ t: 'child-hello', internals: [v] }));
    assert.deepEqual(over([r]), []);
  });

  it('to a node, spoofed as its rendezvous: an introduction naming the victim does not make it punch the victim', () => {
    const s = node.host.socket(4000)!;
    const intro = (victim: Endpoint) =>
      forger.packet({
        t: 'intro',
        token: 7,
        peer: { id: forger.identity().signerId, ver: 1, ext: victim, internals: [], gone: false },
      });
    const r = shoot('node (as its rendezvous)', 'intro naming the victim', s, intro, w.rdvEps[0]!);
    assert.deepEqual(over([r]), []);
  });

  it('to the rendezvous: no packet type draws more bytes than it carried; STUN is bounded', () => {
    const rsock = w.rdvSockets[0]!;
    const id = forger.identity();
    const cases: [string, () => Uint8Array][] = [
      ['register (cluster namespace)', sig({ t: 'register', internals: [], known: 0, children: [], ns })],
      [
        'register (new namespace)',
        sig({ t: 'register', internals: [], known: 0, children: [], ns: 'fresh' }),
      ],
      ['probe', sig({ t: 'probe', token: 1, ack: false, echo: 0 })],
      ['intro-req', sig({ t: 'intro-req', target: node.node.nodeId })],
      [
        'forward',
        () =>
          forger.packet(
            { t: 'forward', origin: id.signerId, dest: node.node.nodeId, ttl: 3, payload: hs1() },
            id,
          ),
      ],
      ['data', sig({ t: 'data', payload: randomBytes(100) })],
      ['STUN Binding request (natm)', () => bindingRequest().bytes],
    ];
    const rows = cases.map(([kind, make]) => shoot('rendezvous', kind, rsock, make));
    const bare = () => {
      const b = new Uint8Array(20);
      b.set([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42]);
      b.set(randomBytes(12), 8);
      return b;
    };
    // RFC 5389's smallest answer (XOR-MAPPED-ADDRESS alone) is 32 bytes: a bare 20-byte request gets that, no more.
    const b = shoot('rendezvous', 'STUN Binding request (bare, 20 bytes)', rsock, bare);
    assert.deepEqual([...over(rows), ...over([b], () => 32)], []);
  });
});
