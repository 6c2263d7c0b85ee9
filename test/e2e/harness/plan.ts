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
 */
export type NodeName = 'n1' | 'n2' | 'n3' | 'n4';
export const NODE_NAMES: readonly NodeName[] = ['n1', 'n2', 'n3', 'n4'];

export interface NodePlan {
  readonly name: NodeName;
  readonly ns: string;
  /** The node's own interface address. */
  readonly ip: string;
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

export function fig2Plan(prefix: string, forwardedUdpPort: number): Fig2Plan {
  if (!/^p2pe-[a-z0-9]{1,3}-$/.test(prefix))
    throw new Error(`namespace prefix must look like p2pe-x-, got "${prefix}"`);
  const ns = { pub: `${prefix}pub`, rdv: `${prefix}rdv`, nat: `${prefix}nat`, fw: `${prefix}fw` };
  const natWanIp = `${PUBLIC_NET}.21`;
  const fwWanIp = `${PUBLIC_NET}.31`;
  const node = (name: NodeName, ip: string, publicIp: string, router: string | null, btPort = 51413) => ({
    name,
    ns: `${prefix}${name}`,
    ip,
    publicIp,
    router,
    btPort,
  });
  const nodes = {
    n1: node('n1', `${PUBLIC_NET}.11`, `${PUBLIC_NET}.11`, null),
    n2: node('n2', `${NAT_LAN}.2`, natWanIp, ns.nat),
    n3: node('n3', `${FW_LAN}.3`, fwWanIp, ns.fw),
    n4: node('n4', `${FW_LAN}.4`, fwWanIp, ns.fw, 51414),
  };
  const allNamespaces = [ns.pub, ns.rdv, ns.nat, ns.fw, ...NODE_NAMES.map((n) => nodes[n].ns)];
  return { prefix, ns, rdvIp: `${PUBLIC_NET}.3`, natWanIp, fwWanIp, nodes, forwardedUdpPort, allNamespaces };
}
