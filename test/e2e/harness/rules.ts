/**
 * nftables rulesets of the two routers (pure text builders). Both count what crosses
 * their WAN interface in named counters (`wan_in`, `wan_out`: forwarded traffic only,
 * i.e. bytes that went through the router between LAN and public side), and both drop
 * NEW packets from the WAN addressed to the router itself: a router that accepts them
 * leaves stale conntrack entries that remap an early punch (LAB-NOTES pitfall).
 */
export const TABLE = 'p2pe';

export function natRouterRules(opts: { symmetric?: boolean } = {}): string {
  // fully-random: a new random source port per destination, i.e. a symmetric NAT (RFC 4787
  // address-and-port-dependent mapping); plain masquerade keeps the port: port-restricted cone.
  const flavour = opts.symmetric ? ' fully-random' : '';
  return `table ip ${TABLE} {
  counter wan_in { }
  counter wan_out { }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" masquerade${flavour}
  }
  chain forward { type filter hook forward priority filter; policy drop;
    iifname "wan0" counter name "wan_in"
    oifname "wan0" counter name "wan_out"
    ct state established,related accept
    iifname "lan0" oifname "wan0" accept
  }
  chain input { type filter hook input priority filter; policy accept;
    iifname "wan0" ct state new drop
  }
}
`;
}

/**
 * What the firewall lets out besides the paper's rules: `paper` (UDP port forward, any
 * outbound), `no-udp` (every UDP datagram dropped both ways, TCP out allowed: many
 * corporate and guest networks), `https-only` (UDP dropped, TCP out only to port 443).
 */
export type FirewallMode = 'paper' | 'no-udp' | 'https-only';

export interface FirewallInit {
  readonly mode?: FirewallMode;
  /** LAN host that gets the forwarded UDP port (node 3). */
  readonly bridgeHost: string;
  /** LAN host cut off from the public side in both directions (node 4). */
  readonly isolatedHost: string;
  readonly forwardedUdpPort: number;
}

/**
 * The paper's firewall: stateful, no new inbound connection except UDP `port` (DNAT to
 * node 3), masquerade outbound; node 4 gets nothing forwarded at all. LAN-to-LAN frames
 * are bridged and never reach these chains (bridge netfilter is off).
 */
export function firewallRules(init: FirewallInit): string {
  const { bridgeHost, isolatedHost, forwardedUdpPort: port } = init;
  const mode = init.mode ?? 'paper';
  const udp = mode === 'paper' ? '' : `    meta l4proto udp counter name "dropped_udp" drop\n`;
  const out =
    mode === 'https-only'
      ? `    iifname "br0" oifname "wan0" tcp dport 443 accept
    iifname "br0" oifname "wan0" counter name "dropped_not_https" drop`
      : `    iifname "br0" oifname "wan0" accept`;
  return `table ip ${TABLE} {
  counter wan_in { }
  counter wan_out { }
  counter wan_in_bridge { }
  counter wan_in_isolated { }
  counter dropped_isolated { }
  counter dropped_udp { }
  counter dropped_not_https { }
  counter wan_in_tcp { }
  chain prerouting { type nat hook prerouting priority dstnat; policy accept;
    iifname "wan0" udp dport ${port} dnat to ${bridgeHost}
  }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" masquerade
  }
  chain forward { type filter hook forward priority filter; policy drop;
    iifname "wan0" counter name "wan_in"
    oifname "wan0" counter name "wan_out"
    iifname "wan0" meta l4proto tcp counter name "wan_in_tcp"
    iifname "wan0" ip daddr ${bridgeHost} counter name "wan_in_bridge"
    iifname "wan0" ip daddr ${isolatedHost} counter name "wan_in_isolated"
    ip saddr ${isolatedHost} counter name "dropped_isolated" drop
    ip daddr ${isolatedHost} counter name "dropped_isolated" drop
${udp}    ct state established,related accept
    iifname "wan0" ip daddr ${bridgeHost} udp dport ${port} ct status dnat accept
${out}
  }
  chain input { type filter hook input priority filter; policy accept;
    iifname "wan0" ct state new drop
  }
}
`;
}

export interface CounterValue {
  readonly packets: number;
  readonly bytes: number;
}

/** Named counters of our table from `nft -j list counters table ip p2pe` output. */
export function parseCounters(json: string): Record<string, CounterValue> {
  const out: Record<string, CounterValue> = {};
  const doc = JSON.parse(json) as {
    nftables?: Array<{ counter?: { name: string; packets: number; bytes: number } }>;
  };
  for (const item of doc.nftables ?? []) {
    if (item.counter) out[item.counter.name] = { packets: item.counter.packets, bytes: item.counter.bytes };
  }
  return out;
}
