/**
 * Test helper: a small Internet in Linux network namespaces (needs root, iproute2, nftables).
 *
 *   [wan: bridge, 198.18.0.0/24]
 *     rdv .10 · n1 .11 (public) · rtA .21 masquerade → LAN 10.1.0.0/24: n2 .2, n2b .3
 *     rtB .31 masquerade → LAN 10.2.0.0/24 (bridge): n3 .3 (natm bridge), n4 .4 (no way out)
 *     rtC .41 masquerade fully-random (symmetric) → LAN 10.3.0.0/24: n5 .2
 *
 * `upDualStack()` instead (IPv6 ULA only, issue 19 item 5):
 *
 *   [wan: bridge, 198.18.0.0/24 and fd00:18::/64]
 *     rdv .10 and fd00:18::10 (dual stack) · n1 .11 (IPv4 only) · n7 fd00:18::17 (IPv6 only)
 *     rt6 fd00:18::61, a stateful IPv6 firewall (no NAT) → IPv6-only LAN fd00:6::/64:
 *       n6 fd00:6::6, n6b fd00:6::7
 *
 * Routers drop NEW inbound packets from the WAN to themselves (LAB-NOTES pitfall) and
 * forward only LAN→WAN and established traffic. Names start with the given prefix; down()
 * kills what runs inside (by PID) and deletes every namespace, also after a failure.
 */
import { execFileSync } from 'node:child_process';

export class NetnsLab {
  readonly names: string[] = [];

  constructor(readonly prefix: string) {}

  ns(name: string): string {
    return `${this.prefix}-${name}`;
  }

  private sh(args: string[], input?: string): void {
    execFileSync(args[0]!, args.slice(1), { input, stdio: ['pipe', 'ignore', 'pipe'] });
  }

  private x(ns: string, ...args: string[]): void {
    this.sh(['ip', 'netns', 'exec', this.ns(ns), ...args]);
  }

  private add(name: string): void {
    this.sh(['ip', 'netns', 'add', this.ns(name)]);
    this.names.push(this.ns(name));
    this.x(name, 'ip', 'link', 'set', 'lo', 'up');
  }

  private veth(a: string, aIf: string, b: string, bIf: string): void {
    this.sh([
      'ip',
      'link',
      'add',
      'p2pntmp0',
      'netns',
      this.ns(a),
      'type',
      'veth',
      'peer',
      'name',
      'p2pntmp1',
      'netns',
      this.ns(b),
    ]);
    this.x(a, 'ip', 'link', 'set', 'p2pntmp0', 'name', aIf);
    this.x(b, 'ip', 'link', 'set', 'p2pntmp1', 'name', bIf);
    this.x(a, 'ip', 'link', 'set', aIf, 'up');
    this.x(b, 'ip', 'link', 'set', bIf, 'up');
  }

  private bridge(ns: string, addr?: string): void {
    this.x(ns, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
    this.x(ns, 'ip', 'link', 'set', 'br0', 'up');
    this.x(ns, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0');
    if (addr) this.x(ns, 'ip', 'addr', 'add', addr, 'dev', 'br0');
  }

  private host(name: string, on: string, addr: string, gw?: string): void {
    this.add(name);
    this.veth(name, 'eth0', on, `p-${name}`);
    this.x(on, 'ip', 'link', 'set', `p-${name}`, 'master', 'br0');
    this.x(name, 'ip', 'addr', 'add', addr, 'dev', 'eth0');
    if (gw) this.x(name, 'ip', 'route', 'add', 'default', 'via', gw);
  }

  private router(name: string, wanAddr: string, lanAddr: string, flavour: string, extraForward = ''): void {
    this.host(name, 'wan', wanAddr);
    this.x(name, 'ip', 'link', 'set', 'eth0', 'name', 'wan0');
    this.bridge(name, lanAddr);
    this.x(name, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    const rules = `table ip lab {
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "wan0" masquerade ${flavour}; }
  chain forward { type filter hook forward priority filter; policy drop;
    ct state established,related accept
    ${extraForward}
    iifname "br0" oifname "wan0" accept
  }
  chain input { type filter hook input priority filter; policy accept; iifname "wan0" ct state new drop; }
}`;
    this.sh(['ip', 'netns', 'exec', this.ns(name), 'nft', '-f', '-'], rules);
  }

  up(): void {
    this.add('wan');
    this.bridge('wan');
    this.host('rdv', 'wan', '198.18.0.10/24');
    this.host('n1', 'wan', '198.18.0.11/24');
    this.router('rtA', '198.18.0.21/24', '10.1.0.1/24', '');
    this.host('n2', 'rtA', '10.1.0.2/24', '10.1.0.1');
    this.host('n2b', 'rtA', '10.1.0.3/24', '10.1.0.1');
    this.router('rtB', '198.18.0.31/24', '10.2.0.1/24', '', 'ip saddr 10.2.0.4 drop');
    this.host('n3', 'rtB', '10.2.0.3/24', '10.2.0.1');
    this.host('n4', 'rtB', '10.2.0.4/24', '10.2.0.1');
    this.router('rtC', '198.18.0.41/24', '10.3.0.1/24', 'fully-random');
    this.host('n5', 'rtC', '10.3.0.2/24', '10.3.0.1');
  }

  /** The IPv6 lab of the file comment (addresses without duplicate address detection). */
  upDualStack(): void {
    this.add('wan');
    this.bridge('wan');
    const v6 = (name: string, addr: string) =>
      this.x(name, 'ip', '-6', 'addr', 'add', addr, 'dev', 'eth0', 'nodad');
    this.host('rdv', 'wan', '198.18.0.10/24');
    v6('rdv', 'fd00:18::10/64');
    this.host('n1', 'wan', '198.18.0.11/24');
    this.add('n7');
    this.veth('n7', 'eth0', 'wan', 'p-n7');
    this.x('wan', 'ip', 'link', 'set', 'p-n7', 'master', 'br0');
    v6('n7', 'fd00:18::17/64');
    this.add('rt6');
    this.veth('rt6', 'wan0', 'wan', 'p-rt6');
    this.x('wan', 'ip', 'link', 'set', 'p-rt6', 'master', 'br0');
    this.x('rt6', 'ip', '-6', 'addr', 'add', 'fd00:18::61/64', 'dev', 'wan0', 'nodad');
    this.bridge('rt6');
    // LAN frames are bridged, not routed: keep them out of the IPv6 forward chain.
    this.x('rt6', 'sysctl', '-qw', 'net.bridge.bridge-nf-call-ip6tables=0');
    this.x('rt6', 'ip', '-6', 'addr', 'add', 'fd00:6::1/64', 'dev', 'br0', 'nodad');
    this.x('rt6', 'sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1');
    // A home router's IPv6 firewall: outbound and its answers pass, nothing new comes in.
    const rules = `table ip6 lab6 {
  chain forward { type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "br0" oifname "wan0" accept
    iifname "br0" oifname "br0" accept
  }
  chain input { type filter hook input priority filter; policy accept; iifname "wan0" ct state new drop; }
}`;
    this.sh(['ip', 'netns', 'exec', this.ns('rt6'), 'nft', '-f', '-'], rules);
    for (const [name, addr] of [
      ['n6', 'fd00:6::6/64'],
      ['n6b', 'fd00:6::7/64'],
    ] as const) {
      this.add(name);
      this.veth(name, 'eth0', 'rt6', `p-${name}`);
      this.x('rt6', 'ip', 'link', 'set', `p-${name}`, 'master', 'br0');
      v6(name, addr);
      this.x(name, 'ip', '-6', 'route', 'add', 'default', 'via', 'fd00:6::1');
    }
    for (const name of ['rdv', 'n7'])
      this.x(name, 'ip', '-6', 'route', 'add', 'fd00:6::/64', 'via', 'fd00:18::61');
  }

  /** argv prefix to run a command inside namespace `name`. */
  exec(name: string): string[] {
    return ['netns', 'exec', this.ns(name)];
  }

  down(): void {
    for (const ns of [...this.names].reverse()) {
      try {
        const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
          .split(/\s+/)
          .filter(Boolean);
        for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
        execFileSync('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    this.names.length = 0;
  }
}
