/**
 * The addressing plan of the paper's Figure 2 (pure data, no I/O).
 *
 *   [<p>pub: bridge br0, 198.18.0.0/24, the "public internet"]
 *     |- <p>rdv  198.18.0.3   rendezvous host
 *     |- <p>n1   198.18.0.11  node 1 (public)
 *     |- <p>nat  198.18.0.21  NAT router (masquerade: port-restricted cone) -- lan0 10.1.0.1
 *     |                          '- <p>n2 10.1.0.2  node 2
 *     '- <p>fw   198.18.0.31  firewall router (drops all new inbound but one UDP port -> node 3)
 *                                -- br0 10.2.0.1: <p>n3 10.2.0.3 (bridge node), <p>n4 10.2.0.4
 *
 * Node 4 has no path to the public side at all: the firewall drops everything it
 * forwards from or to 10.2.0.4. It reaches the overlay only through node 3 (natm's
 * bridge), and its BitTorrent bytes come from node 3 over the LAN.
 *
 * With `ipv6` (issue 19 item 5; ULA addresses only, inside the namespaces): the public
 * switch also carries fd00:18::/64, the rendezvous is dual-stack (fd00:18::3), node 1
 * dual-stack (fd00:18::11), node 2 stays IPv4-only behind its NAT, and the firewall's LAN
 * is IPv6-only (fd00:2::/64, no NAT66: node 3 fd00:2::3, node 4 fd00:2::4) behind a
 * stateful IPv6 filter with the same policy (one UDP pinhole to node 3, node 4 cut off).
 */
export type NodeName = 'n1' | 'n2' | 'n3' | 'n4';
export const NODE_NAMES: readonly NodeName[] = ['n1', 'n2', 'n3', 'n4'];

/** Which families a node has: IPv4 only, IPv6 only, or both. */
export type Family = 4 | 6 | 46;

export interface NodePlan {
  readonly name: NodeName;
  readonly ns: string;
  readonly family: Family;
  /** The node's own interface address (its IPv6 one on an IPv6-only node). */
  readonly ip: string;
  /** Its IPv6 address, if it has one. */
  readonly ip6: string | null;
  /** The address other public hosts see for it (its router's WAN address behind NAT). */
  readonly publicIp: string;
  /** Namespace of the router in front of it, if any. */
  readonly router: string | null;
  /** Transmission's peer port (distinct for nodes sharing one public address). */
  readonly btPort: number;
}

export interface Fig2Plan {
  readonly prefix: string;
  readonly ns: {
    readonly pub: string;
    readonly rdv: string;
    readonly nat: string;
    readonly fw: string;
  };
  readonly rdvIp: string;
  /** IPv6 bed: the rendezvous' and the firewall's IPv6 addresses (null without). */
  readonly rdvIp6: string | null;
  readonly fwWanIp6: string | null;
  readonly natWanIp: string;
  readonly fwWanIp: string;
  readonly nodes: Readonly<Record<NodeName, NodePlan>>;
  /** The one UDP port the firewall forwards (DNAT) to node 3. */
  readonly forwardedUdpPort: number;
  readonly allNamespaces: readonly string[];
}

export const PUBLIC_NET = '198.18.0';
export const NAT_LAN = '10.1.0';
export const FW_LAN = '10.2.0';
export const PUBLIC_NET6 = 'fd00:18:';
export const FW_LAN6 = 'fd00:2:';

/** `a.b.c.d:port` or `[v6]:port`. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function fig2Plan(prefix: string, forwardedUdpPort: number, ipv6 = false): Fig2Plan {
  if (!/^p2pe-[a-z0-9]{1,3}-$/.test(prefix))
    throw new Error(`namespace prefix must look like p2pe-x-, got "${prefix}"`);
  const ns = { pub: `${prefix}pub`, rdv: `${prefix}rdv`, nat: `${prefix}nat`, fw: `${prefix}fw` };
  const natWanIp = `${PUBLIC_NET}.21`;
  const fwWanIp = `${PUBLIC_NET}.31`;
  const node = (
    name: NodeName,
    ip: string,
    publicIp: string,
    router: string | null,
    btPort = 51413,
    ip6: string | null = null,
  ): NodePlan => ({
    name,
    ns: `${prefix}${name}`,
    family: ip6 === null ? 4 : ip6 === ip ? 6 : 46,
    ip,
    ip6,
    publicIp,
    router,
    btPort,
  });
  const v6 = (host: string, last: number) => `${host}:${last}`;
  const nodes = {
    n1: node('n1', `${PUBLIC_NET}.11`, `${PUBLIC_NET}.11`, null, 51413, ipv6 ? v6(PUBLIC_NET6, 11) : null),
    n2: node('n2', `${NAT_LAN}.2`, natWanIp, ns.nat),
    n3: ipv6
      ? node('n3', v6(FW_LAN6, 3), v6(FW_LAN6, 3), ns.fw, 51413, v6(FW_LAN6, 3))
      : node('n3', `${FW_LAN}.3`, fwWanIp, ns.fw),
    n4: ipv6
      ? node('n4', v6(FW_LAN6, 4), v6(FW_LAN6, 4), ns.fw, 51414, v6(FW_LAN6, 4))
      : node('n4', `${FW_LAN}.4`, fwWanIp, ns.fw, 51414),
  };
  const allNamespaces = [ns.pub, ns.rdv, ns.nat, ns.fw, ...NODE_NAMES.map((n) => nodes[n].ns)];
  const [rdvIp6, fwWanIp6] = ipv6 ? [v6(PUBLIC_NET6, 3), v6(PUBLIC_NET6, 31)] : [null, null];
  return {
    ...{ prefix, ns, rdvIp: `${PUBLIC_NET}.3`, rdvIp6, fwWanIp6, natWanIp, fwWanIp },
    ...{ nodes, forwardedUdpPort, allNamespaces },
  };
}
