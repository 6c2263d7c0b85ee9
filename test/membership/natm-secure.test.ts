/**
 * Certificates over the real natm code on the simulated network (Figure 2 in miniature):
 * n1 public, n2 behind a NAT, n3 a bridge behind a firewall, n4 reachable only through
 * n3. Every node runs NatmNode unchanged with SecureOverlay on top. A bridge that alters
 * what it forwards is caught; a node of another cluster cannot speak; a revoked node is
 * cut off by every node while the others go on.
 * Both envelopes run the same scenarios: the shared cluster key, and open (certificate)
 * mode, where no cluster key exists — every packet is signed by its sender's own key and
 * the rendezvous, which knows no secret, keeps one table per cluster namespace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import type { PacketSealer } from '../../agent/lib/wire/envelope/sealer.ts';
import { NatmNode } from '../../agent/natm/natm-node.ts';
import { decodePacket, encodePacket } from '../../agent/lib/wire/messages.ts';
import { encodePacket as encodeGossip } from '../../agent/lib/gossip/codec.ts';
import { CHUNK_SIZE } from '../../agent/lib/gossip/messages.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { openRevocationNotice, signRevocationNotice } from '../../agent/lib/membership/revocation.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureOverlay } from '../../agent/lib/membership/secure-overlay.ts';
import type { NatBox } from '../../agent/lib/simnet/nat-box.ts';
import { clusterNamespace } from '../../agent/lib/membership/namespace.ts';
import { KEY, SimWorld } from '../natm/sim-world.ts';
import { makeCa, makeNode, NOW, random, type TestCa, type TestNode } from './fixtures.ts';

/** A bridge gone bad: it holds the cluster key and flips a bit in every payload it forwards. */
class TamperingSealer implements PacketSealer {
  on = false;
  constructor(private readonly inner: PacketSealer) {}
  get overhead(): number {
    return this.inner.overhead;
  }
  seal(plain: Uint8Array): Uint8Array {
    const d = decodePacket(plain);
    if (this.on && d.ok && d.packet.body.t === 'forward' && d.packet.body.origin !== d.packet.sender) {
      const payload = new Uint8Array(d.packet.body.payload);
      payload[payload.length - 1]! ^= 0x01;
      return this.inner.seal(encodePacket({ ...d.packet, body: { ...d.packet.body, payload } }));
    }
    return this.inner.seal(plain);
  }
  open(p: Uint8Array) {
    return this.inner.open(p);
  }
}

interface Member {
  node: TestNode;
  natm: NatmNode;
  overlay: SecureOverlay;
  revocation: RevocationState;
  got: { from: string; text: string }[];
  raw: { from: string; bytes: Uint8Array }[];
}

for (const mode of ['cluster-key', 'open'] as const)
  describe(`SecureOverlay on natm (simulated Figure 2, ${mode} envelope)`, () => {
    let w: SimWorld;
    let ca: TestCa;
    let m: Member[];
    let bridgeSealer: TamperingSealer;
    let T0 = 0;
    const idx = (i: number) => m[i]!.node.nodeId;
    const clusterNs = () => clusterNamespace(ca.publicKey, ca.cluster);

    function add(
      node: TestNode,
      where: 'open' | 'nat' | { nat: NatBox; isolated?: boolean },
      over: object,
      sealer?: PacketSealer,
      c = ca,
      ns = clusterNamespace(c.publicKey, c.cluster),
    ): Member {
      const host =
        where === 'open'
          ? w.net.addHost(w.publicAddress())
          : where === 'nat'
            ? w.net.addHost('10.1.0.2', w.net.addNat(w.publicAddress(), 'port-restricted'))
            : w.net.addHost(w.lanAddress(where.nat), where.nat, where.isolated ?? false);
      // The envelope is the sealer's; cfg.clusterKeys is read only by main.ts (not in these sims).
      const cfg = natmConfig({
        id: node.nodeId,
        clusterKeys: [KEY],
        rendezvous: w.rdvEps.map((e) => `${e.address}:${e.port}`),
        ...over,
      });
      const open = mode === 'open';
      const natm = new NatmNode(
        {
          socket: host.bind(4000),
          sealer: sealer ?? (open ? w.signedFramer(node.sign) : w.sealer()),
          clock: w.clock,
          logger: silentLogger(),
          namespace: open ? ns : undefined,
        },
        cfg,
      );
      natm.start();
      w.nodes.set(node.nodeId, natm);
      w.hosts.set(node.nodeId, host);
      const revocation = new RevocationState();
      const overlay = new SecureOverlay(
        { link: natm, clock: { now: () => NOW + w.clock.now() - T0 }, random, revocation },
        { identity: node.identity, ca: c, cluster: c.cluster, signKey: node.sign.privateKey },
      );
      const mem: Member = { node, natm, overlay, revocation, got: [], raw: [] };
      overlay.onMessage((from, p) => mem.got.push({ from, text: Buffer.from(p).toString() }));
      natm.onMessage((from, bytes) => mem.raw.push({ from, bytes }));
      return mem;
    }

    /** Sends from i to j (twice a second, up to 5 s, as gossip would); true once j has it. */
    function deliver(i: number, j: number, text: string): boolean {
      for (let k = 0; k < 10; k++) {
        m[i]!.overlay.send(idx(j), Buffer.from(text));
        w.run(500);
        if (m[j]!.got.some((g) => g.text === text))
          return m[j]!.got.find((g) => g.text === text)!.from === idx(i);
      }
      return false;
    }

    before(async () => {
      await membershipReady();
      ca = await makeCa('plant');
      w = await SimWorld.create({ delayMs: 10 });
      T0 = w.clock.now(); // certificates are made for NOW: the overlay's clock starts there
      w.addRendezvous(mode === 'open' ? { open: true } : {});
      const nodes = await Promise.all([0, 1, 2, 3].map(() => makeNode(ca)));
      const fw = w.net.addNat(w.publicAddress(), 'port-restricted');
      bridgeSealer = new TamperingSealer(mode === 'open' ? w.signedFramer(nodes[2]!.sign) : w.sealer());
      m = [add(nodes[0]!, 'open', {}), add(nodes[1]!, 'nat', {})];
      m.push(add(nodes[2]!, { nat: fw }, { bridge: true }, bridgeSealer));
      const lan3 = w.hosts.get(nodes[2]!.nodeId)!.address;
      m.push(add(nodes[3]!, { nat: fw, isolated: true }, { bridgeVia: `${lan3}:4000` }));
      w.run(20_000);
    });

    after(async () => {
      await w.stop();
    });

    it('every pair talks end to end with proven node ids, also through the bridge', () => {
      for (const [i, j] of [
        [0, 1],
        [1, 0],
        [0, 3],
        [3, 0],
        [1, 3],
        [3, 1],
        [2, 3],
        [3, 2],
      ] as const)
        assert.ok(deliver(i, j, `hello ${i}->${j}`), `${i} -> ${j}`);
      assert.equal(m[0]!.natm.peer(idx(3))?.path, 'bridged');
      // What natm itself carried between them was never the plaintext.
      const carried = Buffer.concat(m.flatMap((x) => x.raw.map((r) => r.bytes)));
      assert.equal(carried.indexOf('hello'), -1);
    });

    it('the largest gossip packet (a full CHUNK) fits every link and crosses every pair', () => {
      const chunk = encodeGossip({
        body: {
          type: 'chunk',
          id: '00'.repeat(32),
          offset: 0,
          total: CHUNK_SIZE,
          missing: false,
          data: new Uint8Array(CHUNK_SIZE).fill(0x61),
        },
        items: [],
      });
      for (const x of m)
        assert.ok(chunk.length <= x.overlay.maxPayload, `${chunk.length} <= ${x.overlay.maxPayload}`);
      const pad = 'c'.repeat(chunk.length - 1); // as many bytes as the chunk packet
      for (const [i, j] of [
        [0, 1],
        [3, 0],
        [1, 3],
      ] as const)
        assert.ok(deliver(i, j, pad + String(i + j)), `${i} -> ${j}`);
    });

    it('a bridge that alters forwarded payloads (re-sealing them as its own) is detected', () => {
      bridgeSealer.on = true;
      try {
        const before = m[0]!.got.length;
        const rawBefore = m[0]!.raw.length;
        assert.equal(deliver(3, 0, 'through a bad bridge'), false);
        assert.equal(m[0]!.got.length, before, 'nothing altered is delivered');
        assert.ok(m[0]!.raw.length > rawBefore, 'natm did carry (altered) packets');
        assert.ok((m[0]!.overlay.counters.get('drop_decrypt_failed') ?? 0) > 0);
      } finally {
        bridgeSealer.on = false;
      }
      assert.ok(deliver(3, 0, 'after the bridge behaves'), 'the session survives');
    });

    it('a node with a certificate of another cluster cannot speak to the cluster', async () => {
      const other = await makeCa('elsewhere');
      // In open mode it claims this cluster's namespace, so natm does introduce it.
      const stranger = add(await makeNode(other), 'open', {}, undefined, other, clusterNs());
      w.run(10_000);
      m.push(stranger);
      try {
        assert.ok(stranger.natm.peer(idx(0))?.path, 'natm reaches n1');
        assert.equal(deliver(4, 0, 'let me in'), false);
        assert.equal(deliver(0, 4, 'who are you'), false);
        const refusals =
          (m[0]!.overlay.counters.get('drop_wrong_ca') ?? 0) +
          (stranger.overlay.counters.get('drop_wrong_ca') ?? 0);
        assert.ok(refusals > 0);
        assert.equal(
          m[0]!.overlay.peers().some((p) => p.id === stranger.node.nodeId),
          false,
        );
      } finally {
        m.pop();
      }
    });

    if (mode === 'open')
      it('one keyless rendezvous serves two clusters; neither sees the other', async () => {
        const other = await makeCa('elsewhere');
        const [a, b] = [await makeNode(other), await makeNode(other)];
        const x = add(a, 'open', {}, undefined, other);
        const y = add(b, 'nat', {}, undefined, other);
        w.run(10_000);
        const rdv = w.rdvs[0]!;
        assert.equal(rdv.stats()['open'], true);
        assert.equal(rdv.tableOf(clusterNs()).size(), 4 + 1, 'four members and the earlier stranger');
        assert.equal(rdv.tableOf(clusterNamespace(other.publicKey, other.cluster)).size(), 2);
        m.push(x, y);
        try {
          assert.ok(deliver(4, 5, 'elsewhere talks'), 'the other cluster works on the same rendezvous');
          assert.deepEqual(
            x.natm.peers().map((p) => p.id),
            [b.nodeId],
            'natm of the other cluster never hears of this one',
          );
          assert.equal(m[0]!.natm.peer(a.nodeId), undefined);
        } finally {
          m.splice(4, 2);
        }
      });

    it('a revoked node (n2) is cut off by every node; the others go on', async () => {
      const victim = idx(1);
      const notice = await signRevocationNotice(
        { cluster: 'plant', nodeId: victim, issuedAt: Math.floor((NOW + w.clock.now() - T0) / 1000) },
        ca,
      );
      for (const i of [0, 2, 3]) m[i]!.revocation.acceptNotice(openRevocationNotice(notice, ca, 'plant'));
      assert.equal(
        m[0]!.overlay.peers().some((p) => p.id === victim),
        false,
      );
      assert.equal(deliver(1, 0, 'revoked speaks'), false);
      assert.equal(deliver(1, 3, 'revoked speaks to n4'), false);
      assert.equal(m[0]!.overlay.send(victim, Buffer.from('x')), false, 'nobody sends to it');
      for (const [i, j] of [
        [0, 3],
        [3, 0],
        [2, 0],
      ] as const)
        assert.ok(deliver(i, j, `still ${i}->${j}`), `${i} -> ${j}`);
    });
  });
