/**
 * The benchmark's addressing plan (pure data, no I/O): one origin and N nodes on a
 * shared "internet" switch, some nodes behind their own NAT router.
 *
 *   [<p>pub: bridge br0, 198.18.0.0/16]
 *     |- <p>o    198.18.0.2          origin (publisher / HTTP server)
 *     |- <p>rdv  198.18.0.3          rendezvous host (natm's STUN + session table)
 *     |- <p>nKK  198.18.1.K          public node K
 *     '- <p>rKK  198.18.1.K (wan0)   NAT router (masquerade) -- lan0 10.1.K.1
 *                   '- <p>nKK 10.1.K.2  node K behind NAT
 *
 * Every access link (the veth between a host or router and the switch) is the one
 * shaped both ways, so a NATed node's link is its router's uplink.
 */
export const PUB_NET = '198.18';
export const MAX_NODES = 200;
export const BT_PORT = 51413;

export interface StarNode {
  readonly name: string;
  readonly index: number;
  readonly ns: string;
  readonly ip: string;
  /** What others on the switch see (the router's WAN address behind NAT). */
  readonly publicIp: string;
  /** Router namespace in front of the node, or null for a public node. */
  readonly router: string | null;
  readonly btPort: number;
  /** Switch port (in the pub namespace) of this node's access link. */
  readonly switchPort: string;
}

export interface StarPlan {
  readonly prefix: string;
  readonly pubNs: string;
  readonly origin: StarNode;
  /** The rendezvous host (used only when natm runs). */
  readonly rdv: StarNode;
  readonly nodes: readonly StarNode[];
  readonly allNamespaces: readonly string[];
}

export interface StarInit {
  /** Namespace prefix: `p2pb-` followed by 1-3 lowercase letters/digits and a dash. */
  readonly prefix: string;
  readonly nodes: number;
  /** Every `natEvery`-th node (2nd, 4th, ... for 2) sits behind a NAT router; 0 = none. */
  readonly natEvery: number;
}

export function starPlan(init: StarInit): StarPlan {
  const { prefix, nodes: n, natEvery } = init;
  if (!/^p2pb-[a-z0-9]{1,3}-$/.test(prefix))
    throw new RangeError(`prefix must look like p2pb-x-, got "${prefix}"`);
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODES)
    throw new RangeError(`nodes must be 1..${MAX_NODES}, got ${n}`);
  if (!Number.isInteger(natEvery) || natEvery < 0)
    throw new RangeError(`natEvery must be >= 0, got ${natEvery}`);
  const pubNs = `${prefix}pub`;
  const origin: StarNode = {
    name: 'origin',
    index: 0,
    ns: `${prefix}o`,
    ip: `${PUB_NET}.0.2`,
    publicIp: `${PUB_NET}.0.2`,
    router: null,
    btPort: BT_PORT,
    switchPort: 'p-o',
  };
  const rdv: StarNode = {
    ...origin,
    name: 'rdv',
    ns: `${prefix}rdv`,
    ip: `${PUB_NET}.0.3`,
    publicIp: `${PUB_NET}.0.3`,
    switchPort: 'p-rdv',
  };
  const nodes: StarNode[] = [];
  for (let k = 1; k <= n; k++) {
    const id = String(k).padStart(2, '0');
    const natted = natEvery > 0 && k % natEvery === 0;
    const publicIp = `${PUB_NET}.1.${k}`;
    nodes.push({
      name: `n${id}`,
      index: k,
      ns: `${prefix}n${id}`,
      ip: natted ? `10.1.${k}.2` : publicIp,
      publicIp,
      router: natted ? `${prefix}r${id}` : null,
      btPort: BT_PORT,
      switchPort: `p-${id}`,
    });
  }
  const routers = nodes.flatMap((x) => (x.router ? [x.router] : []));
  return {
    prefix,
    pubNs,
    origin,
    rdv,
    nodes,
    allNamespaces: [pubNs, origin.ns, rdv.ns, ...nodes.map((x) => x.ns), ...routers],
  };
}

/** The host that owns a node's access link (its router if NATed). */
export function uplinkHost(node: StarNode): { ns: string; dev: string } {
  return node.router ? { ns: node.router, dev: 'wan0' } : { ns: node.ns, dev: 'eth0' };
}
