/**
 * Topology: the paper's Figure 2 in network namespaces, with its processes. create()
 * removes leftovers of an earlier run (same prefix), builds everything, and registers a
 * teardown for Ctrl-C/SIGTERM/exit; destroy() stops the processes, sweeps the
 * namespaces and, unless told to keep them (a failed run), deletes the run's files.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildFig2 } from './build.ts';
import { listNamespacesSync, setLink, sweepNamespacesSync } from './netns.ts';
import { fig2Plan, FW_LAN, type Fig2Plan, type NodeName, type NodePlan } from './plan.ts';
import { ProcessGroup } from './processes.ts';
import { firewallRules, parseCounters, TABLE, type CounterValue, type FirewallMode } from './rules.ts';
import { nsRun, run } from './run.ts';
import { registerTeardown } from './teardown.ts';

export interface TopologyInit {
  /** Namespace prefix for this run, e.g. `p2pe-t-` (one per test file, so files can run in parallel). */
  readonly prefix: string;
  /** UDP port the firewall forwards to node 3 (natm's port). Default 4100. */
  readonly forwardedUdpPort?: number;
  /** Scratch directory (logs, configs, state). Default /tmp/<prefix without dash>. */
  readonly runDir?: string;
  readonly log?: (line: string) => void;
  /** The firewall in front of nodes 3 and 4 (rules.ts); default the paper's. */
  readonly firewall?: FirewallMode;
  /** The IPv6 bed (plan.ts): dual-stack rendezvous and node 1, IPv6-only LAN behind the firewall. */
  readonly ipv6?: boolean;
}

export type Router = 'nat' | 'fw';

export class Topology {
  readonly procs: ProcessGroup;
  private unregister: () => void = () => {};
  private destroyed = false;

  private constructor(
    readonly plan: Fig2Plan,
    readonly runDir: string,
  ) {
    this.procs = new ProcessGroup(join(runDir, 'logs'));
  }

  static async create(init: TopologyInit): Promise<Topology> {
    const log = init.log ?? ((l: string) => process.stderr.write(`${l}\n`));
    const plan = fig2Plan(init.prefix, init.forwardedUdpPort ?? 4100, init.ipv6);
    const runDir = init.runDir ?? join('/tmp', init.prefix.replace(/-$/, ''));
    const leftovers = sweepNamespacesSync(plan.prefix);
    if (leftovers.length > 0) log(`e2e: removed leftovers of an earlier run: ${leftovers.join(' ')}`);
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    const t = new Topology(plan, runDir);
    t.unregister = registerTeardown(
      () => t.destroy({ keepFiles: true }),
      () => void sweepNamespacesSync(plan.prefix),
    );
    try {
      await buildFig2(plan, init.firewall);
    } catch (e) {
      await t.destroy({ keepFiles: true });
      throw e;
    }
    return t;
  }

  node(name: NodeName): NodePlan {
    return this.plan.nodes[name];
  }

  routerNs(r: Router): string {
    return this.plan.ns[r];
  }

  /** Run a short command inside a namespace and return its stdout. */
  exec(ns: string, cmd: string, args: readonly string[], timeoutMs?: number): Promise<string> {
    return nsRun(ns, cmd, args, timeoutMs === undefined ? {} : { timeoutMs });
  }

  /** The router's named counters; `ip6`: its IPv6 table (the firewall in the IPv6 bed). */
  async counters(r: Router, family: 'ip' | 'ip6' = 'ip'): Promise<Record<string, CounterValue>> {
    return parseCounters(
      await nsRun(this.routerNs(r), 'nft', ['-j', 'list', 'counters', 'table', family, TABLE]),
    );
  }

  async resetCounters(r: Router, family: 'ip' | 'ip6' = 'ip'): Promise<void> {
    await nsRun(this.routerNs(r), 'nft', ['reset', 'counters', 'table', family, TABLE]);
  }

  /** Bytes a LAN host sent/received on its firewall bridge port (LAN traffic included). */
  async lanPortBytes(node: 'n3' | 'n4'): Promise<{ fromHost: number; toHost: number }> {
    const out = await nsRun(this.plan.ns.fw, 'ip', ['-j', '-s', 'link', 'show', 'dev', `p-${node}`]);
    const s = (JSON.parse(out) as Array<{ stats64: { rx: { bytes: number }; tx: { bytes: number } } }>)[0];
    if (!s) throw new Error(`no stats for p-${node}`);
    return { fromHost: s.stats64.rx.bytes, toHost: s.stats64.tx.bytes };
  }

  /** Replace the firewall's ruleset in one transaction (counters restart at 0) and forget its connections. */
  async setFirewall(mode: FirewallMode): Promise<void> {
    const rules = firewallRules({
      bridgeHost: `${FW_LAN}.3`,
      isolatedHost: `${FW_LAN}.4`,
      forwardedUdpPort: this.plan.forwardedUdpPort,
      mode,
    });
    await nsRun(this.plan.ns.fw, 'nft', ['-f', '-'], { input: `delete table ip ${TABLE}\n${rules}` });
    await this.flushConntrack('fw');
  }

  /** Forget NAT mappings and firewall state (between scenarios). */
  async flushConntrack(r: Router): Promise<void> {
    await nsRun(this.routerNs(r), 'conntrack', ['-F']).catch(() => undefined);
  }

  /** Plug or unplug a host's cable on the public switch ('nat' = node 2's uplink). */
  async setUplink(host: Router | 'rdv' | 'n1', up: boolean): Promise<void> {
    await setLink(this.plan.ns.pub, `p-${host}`, up);
  }

  async destroy(opts: { keepFiles?: boolean } = {}): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.unregister();
    await this.procs.stopAll(4000);
    sweepNamespacesSync(this.plan.prefix);
    if (listNamespacesSync(this.plan.prefix).length > 0) await run('ip', ['netns', 'list']);
    if (!opts.keepFiles) rmSync(this.runDir, { recursive: true, force: true });
  }
}
