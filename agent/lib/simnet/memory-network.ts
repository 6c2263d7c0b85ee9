/**
 * The one in-memory datagram network for tests (STYLE.md rule 5): public hosts, LANs
 * behind NAT boxes (nat-box.ts), isolated hosts that reach only their LAN, hosts going
 * offline, partitions, and per-packet loss, delay, jitter and duplication, all driven by
 * an injected Clock (use FakeClock) and random source. natm and the rendezvous run on it
 * unchanged through the DatagramSocket interface; overlay-network.ts puts node-id links
 * (gossip, rollout simulations) on it, and with delay 0 and FakeClock.settle it is a
 * packet-stepping router (membership tests). A `tap` sees every datagram on its way and
 * may pass, alter or drop it (an on-path attacker). Nothing here sleeps or opens a socket.
 */
import type { Clock } from '../common/clock.ts';
import type { Endpoint } from '../net/datagram.ts';
import { NatBox, type NatType } from './nat-box.ts';
import { SimHost, type SimSocket } from './sim-host.ts';

export interface NetworkOptions {
  delayMs?: number; // default 5
  jitterMs?: number; // default 0
  loss?: number; // probability 0..1, default 0
  duplicate?: number; // probability 0..1, default 0
  random?: () => number; // default Math.random
}

const MAX_UDP = 65507;

/** Sees every datagram a host sends (before loss and NAT): undefined passes it, bytes
 * replace it, null drops it. */
export type Tap = (data: Uint8Array, from: Endpoint, to: Endpoint) => Uint8Array | null | undefined | void;

export class MemoryNetwork {
  readonly stats = new Map<string, number>();
  private readonly owners = new Map<string, SimHost | NatBox>();
  private readonly lans = new Map<NatBox, Map<string, SimHost>>();
  private readonly random: () => number;
  private loss: number;
  private readonly offline = new Set<string>();
  private readonly group = new Map<string, number>();
  /** Wiretap and on-path attacker for tests (see Tap). */
  tap: Tap | undefined;

  constructor(
    readonly clock: Clock,
    private readonly opts: NetworkOptions = {},
  ) {
    this.random = opts.random ?? Math.random;
    this.loss = opts.loss ?? 0;
  }

  /** The loss probability for datagrams sent from now on. */
  setLoss(p: number): void {
    this.loss = p;
  }

  addNat(publicAddress: string, type: NatType, mappingTtlMs?: number): NatBox {
    const nat = new NatBox(publicAddress, type, mappingTtlMs);
    if (type !== 'firewall') this.claim(publicAddress, nat);
    this.lans.set(nat, new Map());
    return nat;
  }

  /** A host on the public network (nat omitted) or in the LAN behind `nat`. */
  addHost(address: string, nat?: NatBox, isolated = false): SimHost {
    const host = new SimHost(this, address, nat, isolated);
    this.attach(host);
    return host;
  }

  /** Move a host to another network (a device that roams); its sockets keep their ports. */
  move(host: SimHost, address: string, nat?: NatBox): void {
    this.detach(host);
    host.address = address;
    host.nat = nat;
    this.attach(host);
  }

  /** An offline host (crashed, asleep, unplugged) sends and receives nothing. */
  setOffline(address: string, off: boolean): void {
    if (off) this.offline.add(address);
    else this.offline.delete(address);
  }

  isOffline(address: string): boolean {
    return this.offline.has(address);
  }

  /** Hosts (by address) in different groups cannot reach each other; unlisted ones are group 0. */
  partition(groups: string[][]): void {
    this.group.clear();
    groups.forEach((g, i) => g.forEach((address) => this.group.set(address, i + 1)));
  }

  heal(): void {
    this.group.clear();
  }

  count(reason: string): void {
    this.stats.set(reason, (this.stats.get(reason) ?? 0) + 1);
  }

  /** Called by SimSocket.send. */
  route(from: SimSocket, sent: Uint8Array, to: Endpoint): void {
    const host = from.host;
    const now = this.clock.now();
    if (sent.length > MAX_UDP) return this.count('too_big');
    const tapped = this.tap?.(sent, from.local(), to);
    if (tapped === null) return this.count('tap_drop');
    const data = tapped instanceof Uint8Array ? tapped : sent;
    const cut = this.cut(host.address, to.address);
    if (cut) return this.count(cut);
    if (this.random() < this.loss) return this.count('loss');
    const srcPriv = { address: host.address, port: from.port };
    const lanPeer = host.nat ? this.lans.get(host.nat)?.get(to.address) : undefined;
    if (lanPeer) return this.deliver(lanPeer, data, srcPriv, to.port, host.address);
    if (host.isolated) return this.count('isolated');
    if (host.nat && to.address === host.nat.publicAddress) return this.count('no_hairpin');
    const src = host.nat ? host.nat.outbound(srcPriv, to, now) : srcPriv;
    const owner = this.owners.get(to.address);
    if (!owner) return this.count('no_route');
    if (owner instanceof NatBox) {
      const priv = owner.inbound(to, src, now);
      const dst = priv && this.lans.get(owner)?.get(priv.address);
      if (!priv || !dst) return this.count('nat_filtered');
      return this.deliver(dst, data, src, priv.port, host.address);
    }
    if (owner.nat && !owner.nat.inbound(to, src, now)) return this.count('nat_filtered');
    this.deliver(owner, data, src, to.port, host.address);
  }

  /** Why `a` cannot reach `b` now (offline, partitioned), or undefined. Draws no random number. */
  private cut(a: string, b: string): string | undefined {
    if (this.offline.has(a) || this.offline.has(b)) return 'offline';
    if ((this.group.get(a) ?? 0) !== (this.group.get(b) ?? 0)) return 'partitioned';
    return undefined;
  }

  private deliver(host: SimHost, data: Uint8Array, src: Endpoint, port: number, sender: string): void {
    const dup = this.opts.duplicate ?? 0;
    const copies = dup > 0 && this.random() < dup ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = (this.opts.delayMs ?? 5) + this.random() * (this.opts.jitterMs ?? 0);
      const bytes = Uint8Array.from(data);
      this.clock.setTimeout(() => {
        const late = this.cut(sender, host.address);
        if (late) return this.count(late);
        const sock = host.socket(port);
        if (!sock) return this.count('no_socket');
        this.count('delivered');
        sock.receive(bytes, { ...src });
      }, delay);
    }
  }

  private claim(address: string, owner: SimHost | NatBox): void {
    if (this.owners.has(address)) throw new Error(`simnet: address ${address} already in use`);
    this.owners.set(address, owner);
  }

  private attach(host: SimHost): void {
    const lan = host.nat && this.lans.get(host.nat);
    if (lan) {
      if (lan.has(host.address)) throw new Error(`simnet: LAN address ${host.address} in use`);
      lan.set(host.address, host);
    }
    if (!host.nat || host.nat.type === 'firewall') this.claim(host.address, host);
  }

  private detach(host: SimHost): void {
    if (host.nat) this.lans.get(host.nat)?.delete(host.address);
    if (this.owners.get(host.address) === host) this.owners.delete(host.address);
  }
}
