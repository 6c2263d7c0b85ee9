/**
 * An in-memory datagram network for protocol tests (STYLE.md rule 5): public hosts,
 * LANs behind NAT boxes (nat-box.ts), isolated hosts that reach only their LAN, and
 * per-packet loss, delay, jitter and duplication, all driven by an injected Clock (use
 * FakeClock) and random source. natm and the rendezvous run on it unchanged through the
 * DatagramSocket interface. Nothing here sleeps or opens a real socket.
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

export class MemoryNetwork {
  readonly stats = new Map<string, number>();
  private readonly owners = new Map<string, SimHost | NatBox>();
  private readonly lans = new Map<NatBox, Map<string, SimHost>>();
  private readonly random: () => number;
  /** Wiretap for tests (sees every datagram a host sends, before loss and NAT). */
  tap: ((data: Uint8Array, from: Endpoint, to: Endpoint) => void) | undefined;

  constructor(
    readonly clock: Clock,
    private readonly opts: NetworkOptions = {},
  ) {
    this.random = opts.random ?? Math.random;
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

  count(reason: string): void {
    this.stats.set(reason, (this.stats.get(reason) ?? 0) + 1);
  }

  /** Called by SimSocket.send. */
  route(from: SimSocket, data: Uint8Array, to: Endpoint): void {
    const host = from.host;
    const now = this.clock.now();
    if (data.length > MAX_UDP) return this.count('too_big');
    this.tap?.(data, from.local(), to);
    if (this.random() < (this.opts.loss ?? 0)) return this.count('loss');
    const srcPriv = { address: host.address, port: from.port };
    const lanPeer = host.nat ? this.lans.get(host.nat)?.get(to.address) : undefined;
    if (lanPeer) return this.deliver(lanPeer, data, srcPriv, to.port);
    if (host.isolated) return this.count('isolated');
    if (host.nat && to.address === host.nat.publicAddress) return this.count('no_hairpin');
    const src = host.nat ? host.nat.outbound(srcPriv, to, now) : srcPriv;
    const owner = this.owners.get(to.address);
    if (!owner) return this.count('no_route');
    if (owner instanceof NatBox) {
      const priv = owner.inbound(to, src, now);
      const dst = priv && this.lans.get(owner)?.get(priv.address);
      if (!priv || !dst) return this.count('nat_filtered');
      return this.deliver(dst, data, src, priv.port);
    }
    if (owner.nat && !owner.nat.inbound(to, src, now)) return this.count('nat_filtered');
    this.deliver(owner, data, src, to.port);
  }

  private deliver(host: SimHost, data: Uint8Array, src: Endpoint, port: number): void {
    const copies = this.random() < (this.opts.duplicate ?? 0) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = (this.opts.delayMs ?? 5) + this.random() * (this.opts.jitterMs ?? 0);
      const bytes = Uint8Array.from(data);
      this.clock.setTimeout(() => {
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
