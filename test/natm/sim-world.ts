/**
 * Test helper: a simulated world (FakeClock + MemoryNetwork) with rendezvous servers and
 * natm nodes that run the production code unchanged on simulated sockets.
 */
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { sodium } from '../../agent/lib/crypto/sodium.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { Keyring } from '../../agent/lib/wire/envelope/keyring.ts';
import { ClusterKeySealer, type PacketSealer } from '../../agent/lib/wire/envelope/sealer.ts';
import { SignedFramer } from '../../agent/lib/wire/envelope/signed-framer.ts';
import type { Endpoint } from '../../agent/lib/net/datagram.ts';
import { NatmNode } from '../../agent/natm/natm-node.ts';
import { rendezvousConfig } from '../../agent/rendezvous/config.ts';
import { RendezvousServer } from '../../agent/rendezvous/server.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { MemoryNetwork, type NetworkOptions } from '../../agent/lib/simnet/memory-network.ts';
import { mulberry32 } from '../../agent/lib/simnet/prng.ts';
import type { NatBox, NatType } from '../../agent/lib/simnet/nat-box.ts';
import type { SimHost, SimSocket } from '../../agent/lib/simnet/sim-host.ts';

export const KEY = Buffer.alloc(32, 7).toString('base64');
export const OTHER_KEY = Buffer.alloc(32, 9).toString('base64');

/** A seeded PRNG so simulated runs are reproducible (agent/lib/simnet/prng.ts). */
export const seeded = mulberry32;

export class SimWorld {
  readonly clock = new FakeClock();
  readonly net: MemoryNetwork;
  readonly rdvs: RendezvousServer[] = [];
  readonly rdvEps: Endpoint[] = [];
  /** Each rendezvous's socket (tests deliver crafted datagrams to it directly). */
  readonly rdvSockets: SimSocket[] = [];
  readonly nodes = new Map<string, NatmNode>();
  readonly hosts = new Map<string, SimHost>();
  private nextPublic = 10;
  private readonly random: () => number;

  private constructor(
    private readonly s: Awaited<ReturnType<typeof sodium>>,
    opts: NetworkOptions & { seed?: number },
  ) {
    this.random = seeded(opts.seed ?? 1);
    this.net = new MemoryNetwork(this.clock, { random: this.random, ...opts });
  }

  static async create(opts: NetworkOptions & { seed?: number } = {}): Promise<SimWorld> {
    return new SimWorld(await sodium(), opts);
  }

  sealer(keys: string[] = [KEY]): ClusterKeySealer {
    return new ClusterKeySealer(this.s, new Keyring(this.s, keys));
  }

  publicAddress(): string {
    const n = this.nextPublic++;
    return `198.18.${n >> 8}.${n & 255}`;
  }

  /** Certificate mode's envelope for a node's own Ed25519 key (libsodium's 64-byte secret). */
  signedFramer(sign: { publicKey: Uint8Array; privateKey: Uint8Array }): SignedFramer {
    return new SignedFramer(this.s, { publicKey: sign.publicKey, secretKey: sign.privateKey });
  }

  /** A node of open (certificate) mode: a fresh key, its id the key's node id, in namespace `ns`. */
  addOpenNode(
    where: NatType | 'open' | { nat: NatBox; isolated?: boolean },
    ns: string,
    overrides: Record<string, unknown> = {},
  ): NatmNode {
    const k = this.s.crypto_sign_keypair();
    const sealer = this.signedFramer(k);
    return this.addNode(sealer.signerId, where, overrides, { sealer, namespace: ns });
  }

  /** A rendezvous with the cluster key, or with `{ open: true }` one that holds no key at all. */
  addRendezvous(overrides: Record<string, unknown> = {}): RendezvousServer {
    const host = this.net.addHost(this.publicAddress());
    const socket = host.bind(3478);
    const open = overrides['open'] === true;
    const cfg = rendezvousConfig({
      id: `rdv${this.rdvs.length + 1}`,
      ...(open ? {} : { clusterKeys: [KEY] }),
      ...overrides,
    });
    const sealer = open ? SignedFramer.ephemeral(this.s) : this.sealer();
    const r = new RendezvousServer(
      { socket, sealer, clock: this.clock, logger: silentLogger(), random: this.random },
      cfg,
    );
    r.start();
    this.rdvs.push(r);
    this.rdvEps.push(socket.local());
    this.rdvSockets.push(socket);
    return r;
  }

  /** A node on a public address (no NAT), behind a new NAT of `type`, or in the LAN of `nat`. */
  addNode(
    id: string,
    where: NatType | 'open' | { nat: NatBox; isolated?: boolean },
    overrides: Record<string, unknown> = {},
    envelope: { sealer: PacketSealer; namespace?: string } = { sealer: this.sealer() },
  ): NatmNode {
    let host: SimHost;
    if (where === 'open') host = this.net.addHost(this.publicAddress());
    else if (typeof where === 'string') {
      const nat = this.net.addNat(this.publicAddress(), where);
      host = this.net.addHost(where === 'firewall' ? this.publicAddress() : '10.1.0.2', nat);
    } else host = this.net.addHost(this.lanAddress(where.nat), where.nat, where.isolated ?? false);
    const socket = host.bind(4000);
    const cfg = natmConfig({
      id,
      clusterKeys: [KEY],
      rendezvous: this.rdvEps.map((e) => `${e.address}:${e.port}`),
      ...overrides,
    });
    const node = new NatmNode(
      { socket, ...envelope, clock: this.clock, logger: silentLogger(), random: this.random },
      cfg,
    );
    node.start();
    this.nodes.set(id, node);
    this.hosts.set(id, host);
    return node;
  }

  private lanCounter = new Map<NatBox, number>();
  lanAddress(nat: NatBox): string {
    const n = (this.lanCounter.get(nat) ?? 2) + 1;
    this.lanCounter.set(nat, n);
    return `10.1.${n >> 8}.${n & 255}`;
  }

  run(ms: number): void {
    for (let t = 0; t < ms; t += 100) this.clock.advance(Math.min(100, ms - t));
  }

  /** Send `msg` from a to b and run `ms`; true if b got it from a. */
  deliver(a: string, b: string, ms = 2000): boolean {
    const tag = `m${this.random()}`;
    let got = false;
    this.nodes.get(b)!.onMessage((from, p) => {
      if (from === a && Buffer.from(p).toString() === tag) got = true;
    });
    if (!this.nodes.get(a)!.send(b, Buffer.from(tag))) return false;
    this.run(ms);
    return got;
  }

  async stop(): Promise<void> {
    for (const n of this.nodes.values()) await n.stop();
    for (const r of this.rdvs) await r.stop();
  }
}
