/**
 * The firewall's IPv6 ruleset for the IPv6 bed (plan.ts `ipv6`; pure text builder). A home
 * router's IPv6 firewall: no NAT66, stateful, nothing new comes in from the WAN except the
 * paper's one UDP port, here a pinhole to node 3's own address instead of a DNAT; node 4
 * is cut off from the public side in both directions, as in the IPv4 bed. Counters as in
 * rules.ts, in `table ip6 p2pe` (Topology.counters(r, 'ip6')).
 */
import { TABLE } from './rules.ts';

export interface Firewall6Init {
  readonly bridgeHost: string;
  readonly isolatedHost: string;
  readonly forwardedUdpPort: number;
}

export function firewallRules6(init: Firewall6Init): string {
  const { bridgeHost, isolatedHost, forwardedUdpPort: port } = init;
  return `table ip6 ${TABLE} {
  counter wan_in { }
  counter wan_out { }
  counter wan_in_bridge { }
  counter wan_in_isolated { }
  counter dropped_isolated { }
  counter dropped_new_in { }
  chain forward { type filter hook forward priority filter; policy drop;
    iifname "wan0" counter name "wan_in"
    oifname "wan0" counter name "wan_out"
    iifname "wan0" ip6 daddr ${bridgeHost} counter name "wan_in_bridge"
    iifname "wan0" ip6 daddr ${isolatedHost} counter name "wan_in_isolated"
    ip6 saddr ${isolatedHost} counter name "dropped_isolated" drop
    ip6 daddr ${isolatedHost} counter name "dropped_isolated" drop
    ct state established,related accept
    iifname "wan0" ip6 daddr ${bridgeHost} udp dport ${port} accept
    iifname "br0" oifname "wan0" accept
    iifname "wan0" ct state new counter name "dropped_new_in" drop
  }
  chain input { type filter hook input priority filter; policy accept;
    iifname "wan0" meta l4proto ipv6-icmp accept
    iifname "wan0" ct state new drop
  }
}
`;
}
