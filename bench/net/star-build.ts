/**
 * Wires a star plan into namespaces: the switch, the origin, public nodes, NAT routers
 * (the e2e harness's masquerade ruleset) with their node, and tbf shaping on every
 * access link. Interfaces are created inside their namespaces, never in the root one.
 */
import {
  addAddress,
  addBridge,
  addNamespace,
  defaultRoute,
  enslave,
  sysctl,
  vethPair,
} from '../../test/e2e/harness/netns.ts';
import { natRouterRules } from '../../test/e2e/harness/rules.ts';
import { nsRun } from '../../test/e2e/harness/run.ts';
import { shapeLink, type Shape } from './shaping.ts';
import { PUB_NET, uplinkHost, type StarNode, type StarPlan } from './star-plan.ts';

/** Runs `fn` over `items` with at most `limit` at a time (ip/tc calls are cheap but not free). */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (x: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function attach(p: StarPlan, n: StarNode, shape: Shape): Promise<void> {
  const up = uplinkHost(n);
  await vethPair(up.ns, up.dev, p.pubNs, n.switchPort);
  await enslave(p.pubNs, n.switchPort, 'br0');
  await addAddress(up.ns, up.dev, `${n.publicIp}/16`);
  if (n.router) {
    const lan = n.ip.replace(/\.2$/, '');
    await vethPair(n.router, 'lan0', n.ns, 'eth0');
    await addAddress(n.router, 'lan0', `${lan}.1/24`);
    await addAddress(n.ns, 'eth0', `${n.ip}/24`);
    await defaultRoute(n.ns, `${lan}.1`);
    await sysctl(n.router, { 'net.ipv4.ip_forward': '1' });
    await nsRun(n.router, 'nft', ['-f', '-'], { input: natRouterRules() });
  }
  await shapeLink(up, { ns: p.pubNs, dev: n.switchPort }, shape);
}

export async function buildStar(p: StarPlan, shape: Shape): Promise<void> {
  await pool(p.allNamespaces, 8, addNamespace);
  await addBridge(p.pubNs, 'br0');
  await pool([p.origin, p.rdv, ...p.nodes], 6, (n) => attach(p, n, shape));
}

export const PUBLIC_CIDR = `${PUB_NET}.0.0/16`;
