/**
 * The bed's own network: a hub namespace `<prefix>hub` with a bridge (198.19.0.1/24), where
 * the harness's controller side runs (ansible-playbook, the enrollment server, ssh) with
 * `ip netns exec`; each container gets a namespace `<prefix><name>` whose eth0 is a veth
 * into that bridge. Nothing is connected to the root namespace and there is no way out.
 */
import { addAddress, addBridge, addNamespace, enslave, vethPair } from '../../e2e/harness/netns.ts';

export const LAN_NET = '198.19.0';

export interface LanHost {
  readonly ns: string;
  readonly ip: string;
}

export class Lan {
  private next = 11;

  private constructor(
    readonly prefix: string,
    readonly hubNs: string,
  ) {}

  /** The hub's own address on the bridge (where controller-side servers listen). */
  get hubIp(): string {
    return `${LAN_NET}.1`;
  }

  static async create(prefix: string): Promise<Lan> {
    const hub = `${prefix}hub`;
    await addNamespace(hub);
    await addBridge(hub, 'br0');
    await addAddress(hub, 'br0', `${LAN_NET}.1/24`);
    return new Lan(prefix, hub);
  }

  /** A new namespace `<prefix><name>` on the bridge, with the next free address. */
  async attach(name: string): Promise<LanHost> {
    const ns = `${this.prefix}${name}`;
    const ip = `${LAN_NET}.${this.next++}`;
    await addNamespace(ns);
    await vethPair(ns, 'eth0', this.hubNs, `v-${name}`);
    await enslave(this.hubNs, `v-${name}`, 'br0');
    await addAddress(ns, 'eth0', `${ip}/24`);
    return { ns, ip };
  }
}
