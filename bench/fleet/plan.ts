/**
 * The natm fleet bed's addressing plan (pure data, no I/O): one "internet" switch with the
 * rendezvous, some public agents and K NAT routers, each router a LAN bridge with several
 * agents behind it. One namespace per agent.
 *
 *   [<p>pub: bridge br0, 198.18.0.0/16]
 *     |- <p>rdv   198.18.0.3        rendezvous (STUN + session table)
 *     |- <p>aNNN  198.18.1.x        public agents (every `publicEvery`-th agent)
 *     '- <p>rKK   198.18.0.(10+K)   NAT router, wan0 -- bridge lan0:
 *           port-restricted cone (masquerade): 10.1.K.1, agents 10.1.K.(10+j)
 *           symmetric (masquerade fully-random, every `symmetricEvery`-th router): 10.2.K.1
 */
export const FLEET_PUB = '198.18';
export const MAX_AGENTS = 1000;
export const MAX_ROUTERS = 200;

export type NatKind = 'public' | 'port-restricted' | 'symmetric';

export interface FleetRouter {
  readonly name: string;
  readonly ns: string;
  readonly wanIp: string;
  readonly lan: string;
  readonly kind: Exclude<NatKind, 'public'>;
}

export interface FleetAgent {
  readonly name: string;
  readonly index: number;
  readonly ns: string;
  readonly ip: string;
  readonly kind: NatKind;
  /** The router namespace in front of it, null for a public agent. */
  readonly router: FleetRouter | null;
}

export interface FleetPlan {
  readonly prefix: string;
  readonly pubNs: string;
  readonly rdvNs: string;
  readonly rdvIp: string;
  readonly routers: readonly FleetRouter[];
  readonly agents: readonly FleetAgent[];
  readonly allNamespaces: readonly string[];
}

export interface FleetInit {
  readonly prefix: string;
  readonly agents: number;
  readonly routers: number;
  /** Every n-th agent (1st, n+1-th, ...) is public; 0 = none. */
  readonly publicEvery: number;
  /** Every n-th router (n-th, 2n-th, ...) is a symmetric NAT; 0 = none. */
  readonly symmetricEvery: number;
}

const int = (v: number, lo: number, hi: number, what: string) => {
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw new RangeError(`${what} must be ${lo}..${hi}, got ${v}`);
};

export function fleetPlan(init: FleetInit): FleetPlan {
  const { prefix, agents: n, routers: k, publicEvery, symmetricEvery } = init;
  if (!/^p2pb-[a-z0-9]{1,3}-$/.test(prefix))
    throw new RangeError(`prefix must look like p2pb-x-, got "${prefix}"`);
  int(n, 1, MAX_AGENTS, 'agents');
  int(k, 1, MAX_ROUTERS, 'routers');
  int(publicEvery, 0, MAX_AGENTS, 'publicEvery');
  int(symmetricEvery, 0, MAX_ROUTERS, 'symmetricEvery');
  const routers: FleetRouter[] = Array.from({ length: k }, (_, i) => {
    const id = String(i + 1).padStart(2, '0');
    const symmetric = symmetricEvery > 0 && (i + 1) % symmetricEvery === 0;
    return {
      name: `r${id}`,
      ns: `${prefix}r${id}`,
      wanIp: `${FLEET_PUB}.0.${10 + i}`,
      lan: `10.${symmetric ? 2 : 1}.${i + 1}`,
      kind: symmetric ? 'symmetric' : 'port-restricted',
    };
  });
  const perLan = new Map<string, number>();
  let publics = 0;
  let natted = 0;
  const agents: FleetAgent[] = [];
  for (let i = 0; i < n; i++) {
    const name = `a${String(i + 1).padStart(3, '0')}`;
    const ns = `${prefix}${name}`;
    if (publicEvery > 0 && i % publicEvery === 0) {
      const ip = `${FLEET_PUB}.${1 + Math.floor(publics / 250)}.${1 + (publics % 250)}`;
      publics++;
      agents.push({ name, index: i, ns, ip, kind: 'public', router: null });
      continue;
    }
    const r = routers[natted++ % k]!;
    const j = perLan.get(r.name) ?? 0;
    if (j >= 240) throw new RangeError(`more than 240 agents behind router ${r.name}: add routers`);
    perLan.set(r.name, j + 1);
    agents.push({ name, index: i, ns, ip: `${r.lan}.${10 + j}`, kind: r.kind, router: r });
  }
  return {
    prefix,
    pubNs: `${prefix}pub`,
    rdvNs: `${prefix}rdv`,
    rdvIp: `${FLEET_PUB}.0.3`,
    routers,
    agents,
    allNamespaces: [`${prefix}pub`, `${prefix}rdv`, ...routers.map((r) => r.ns), ...agents.map((a) => a.ns)],
  };
}
