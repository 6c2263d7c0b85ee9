/**
 * Wires the Figure 2 plan into namespaces, veths, bridges, routes and nftables rules.
 * Interfaces are created straight inside their namespaces, so short names (eth0, wan0)
 * never meet the root namespace.
 */
import { addAddress, addBridge, addNamespace, defaultRoute, enslave, sysctl, vethPair } from './netns.ts';
import { FW_LAN, FW_LAN6, NAT_LAN, type Fig2Plan } from './plan.ts';
import { firewallRules, natRouterRules, type FirewallMode } from './rules.ts';
import { firewallRules6 } from './rules6.ts';
import { nsRun } from './run.ts';

/** Attach a host to the public switch: `dev` inside `ns`, port `p-<suffix>` on the bridge. */
async function toSwitch(p: Fig2Plan, ns: string, dev: string, suffix: string, ip: string): Promise<void> {
  await vethPair(ns, dev, p.ns.pub, `p-${suffix}`);
  await enslave(p.ns.pub, `p-${suffix}`, 'br0');
  await addAddress(ns, dev, `${ip}/24`);
}

export async function buildFig2(p: Fig2Plan, mode: FirewallMode = 'paper'): Promise<void> {
  const { n1, n2, n3, n4 } = p.nodes;
  const six = new Set([p.ns.rdv, p.ns.fw, ...[n1, n3, n4].filter((n) => n.ip6).map((n) => n.ns)]);
  await Promise.all(p.allNamespaces.map((ns) => addNamespace(ns, p.rdvIp6 !== null && six.has(ns))));
  await addBridge(p.ns.pub, 'br0');
  await Promise.all([
    toSwitch(p, p.ns.rdv, 'eth0', 'rdv', p.rdvIp),
    toSwitch(p, n1.ns, 'eth0', 'n1', n1.ip),
    toSwitch(p, p.ns.nat, 'wan0', 'nat', p.natWanIp),
    toSwitch(p, p.ns.fw, 'wan0', 'fw', p.fwWanIp),
  ]);

  // NAT router and its single host (node 2)
  await vethPair(p.ns.nat, 'lan0', n2.ns, 'eth0');
  await addAddress(p.ns.nat, 'lan0', `${NAT_LAN}.1/24`);
  await addAddress(n2.ns, 'eth0', `${n2.ip}/24`);
  await defaultRoute(n2.ns, `${NAT_LAN}.1`);

  // firewall router with a bridged LAN (nodes 3 and 4)
  await addBridge(p.ns.fw, 'br0');
  await addAddress(p.ns.fw, 'br0', `${FW_LAN}.1/24`);
  for (const n of [n3, n4]) {
    await vethPair(p.ns.fw, `p-${n.name}`, n.ns, 'eth0');
    await enslave(p.ns.fw, `p-${n.name}`, 'br0');
    const [cidr, gw] = n.family === 6 ? [`${n.ip}/64`, `${FW_LAN6}:1`] : [`${n.ip}/24`, `${FW_LAN}.1`];
    await addAddress(n.ns, 'eth0', cidr);
    await defaultRoute(n.ns, gw);
  }

  for (const r of [p.ns.nat, p.ns.fw]) await sysctl(r, { 'net.ipv4.ip_forward': '1' });
  await nsRun(p.ns.nat, 'nft', ['-f', '-'], { input: natRouterRules() });
  // The IPv4 ruleset names the IPv4 LAN hosts (absent in the IPv6 bed: nothing matches them).
  const fw = firewallRules({
    bridgeHost: `${FW_LAN}.3`,
    isolatedHost: `${FW_LAN}.4`,
    forwardedUdpPort: p.forwardedUdpPort,
    mode,
  });
  await nsRun(p.ns.fw, 'nft', ['-f', '-'], { input: fw });
  if (p.rdvIp6 !== null) await buildIpv6(p);
}

/** The IPv6 half of the IPv6 bed: public addresses, the firewall's IPv6 LAN and filter. */
async function buildIpv6(p: Fig2Plan): Promise<void> {
  const { n1, n3, n4 } = p.nodes;
  await addAddress(p.ns.rdv, 'eth0', `${p.rdvIp6}/64`);
  if (n1.ip6) await addAddress(n1.ns, 'eth0', `${n1.ip6}/64`);
  await addAddress(p.ns.fw, 'wan0', `${p.fwWanIp6}/64`);
  await addAddress(p.ns.fw, 'br0', `${FW_LAN6}:1/64`);
  // the public hosts reach the firewall's LAN through it (a routed /64, as an ISP would)
  for (const ns of [p.ns.rdv, n1.ns])
    await nsRun(ns, 'ip', ['-6', 'route', 'add', `${FW_LAN6}:/64`, 'via', p.fwWanIp6!]);
  await sysctl(p.ns.fw, { 'net.ipv6.conf.all.forwarding': '1' });
  const rules = firewallRules6({
    bridgeHost: n3.ip,
    isolatedHost: n4.ip,
    forwardedUdpPort: p.forwardedUdpPort,
  });
  await nsRun(p.ns.fw, 'nft', ['-f', '-'], { input: rules });
}
