/**
 * Network-namespace primitives: create, wire, list, and sweep away. Sweeping is
 * synchronous so that it also works from an `exit` handler; it touches only namespaces
 * whose name starts with the given prefix, and only the processes living in them.
 */
import { nsRun, run, runSyncQuiet } from './run.ts';

/** Namespace names currently present that start with `prefix`. */
export function listNamespacesSync(prefix: string): string[] {
  return runSyncQuiet('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

function pidsSync(ns: string): number[] {
  return runSyncQuiet('ip', ['netns', 'pids', ns])
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 1 && p !== process.pid);
}

/** Kill every process inside our namespaces (SIGKILL), then delete the namespaces. */
export function sweepNamespacesSync(prefix: string): string[] {
  const found = listNamespacesSync(prefix);
  for (const ns of found) {
    for (const pid of pidsSync(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const ns of found) runSyncQuiet('ip', ['netns', 'del', ns]);
  return found;
}

/**
 * A fresh namespace with loopback up and IPv6 off (no DAD noise, IPv4-only lab), or with
 * `ipv6` on but without router advertisements (addresses are set by hand, `nodad`).
 */
export async function addNamespace(ns: string, ipv6 = false): Promise<void> {
  await run('ip', ['netns', 'add', ns]);
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const off = ipv6 ? '0' : '1';
  await sysctl(ns, {
    'net.ipv6.conf.all.disable_ipv6': off,
    'net.ipv6.conf.default.disable_ipv6': off,
    ...(ipv6 ? { 'net.ipv6.conf.default.accept_ra': '0', 'net.ipv6.conf.default.accept_dad': '0' } : {}),
  });
}

export async function sysctl(ns: string, values: Record<string, string>): Promise<void> {
  const args = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  await nsRun(ns, 'sysctl', ['-qw', ...args]);
}

/**
 * Bridge netfilter is on in every new namespace here (LAB-NOTES): bridged LAN frames
 * would cross the router's forward chain. Turn it off where a bridge lives.
 */
export async function bridgeNetfilterOff(ns: string): Promise<void> {
  const probe = await nsRun(ns, 'sh', ['-c', 'test -e /proc/sys/net/bridge && echo yes || echo no']);
  if (probe.trim() === 'yes')
    await sysctl(ns, {
      'net.bridge.bridge-nf-call-iptables': '0',
      'net.bridge.bridge-nf-call-ip6tables': '0',
      'net.bridge.bridge-nf-call-arptables': '0',
    });
}

/** A veth pair created straight inside two namespaces (never in the root namespace). */
export async function vethPair(nsA: string, ifA: string, nsB: string, ifB: string): Promise<void> {
  await run('ip', ['link', 'add', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
  await run('ip', ['-n', nsA, 'link', 'set', ifA, 'up']);
  await run('ip', ['-n', nsB, 'link', 'set', ifB, 'up']);
}

export async function addBridge(ns: string, name: string): Promise<void> {
  await run('ip', ['-n', ns, 'link', 'add', name, 'type', 'bridge']);
  await run('ip', ['-n', ns, 'link', 'set', name, 'up']);
  await bridgeNetfilterOff(ns);
}

export async function enslave(ns: string, port: string, bridge: string): Promise<void> {
  await run('ip', ['-n', ns, 'link', 'set', port, 'master', bridge, 'up']);
}

/** An IPv4 or (no duplicate address detection: a closed lab) IPv6 address. */
export async function addAddress(ns: string, dev: string, cidr: string): Promise<void> {
  const v6 = cidr.includes(':') ? ['nodad'] : [];
  await run('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', dev, ...v6]);
}

export async function defaultRoute(ns: string, via: string): Promise<void> {
  await run('ip', ['-n', ns, ...(via.includes(':') ? ['-6'] : []), 'route', 'add', 'default', 'via', via]);
}

export async function setLink(ns: string, dev: string, up: boolean): Promise<void> {
  await run('ip', ['-n', ns, 'link', 'set', dev, up ? 'up' : 'down']);
}
