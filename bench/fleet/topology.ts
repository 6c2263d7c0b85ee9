/**
 * FleetTopology: a fleet plan (plan.ts) built in namespaces with the e2e harness's
 * primitives (netns.ts, the NAT router ruleset of rules.ts), plus a process group for
 * what runs inside. create() sweeps leftovers of an earlier run with the same prefix and
 * registers teardown for Ctrl-C/SIGTERM/exit; destroy() stops the processes, deletes the
 * namespaces and, unless asked to keep them, the run's files.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  addAddress,
  addBridge,
  addNamespace,
  defaultRoute,
  enslave,
  listNamespacesSync,
  sweepNamespacesSync,
  sysctl,
  vethPair,
} from '../../test/e2e/harness/netns.ts';
import { ProcessGroup } from '../../test/e2e/harness/processes.ts';
import { natRouterRules } from '../../test/e2e/harness/rules.ts';
import { nsRun } from '../../test/e2e/harness/run.ts';
import { registerTeardown } from '../../test/e2e/harness/teardown.ts';
import { pool } from '../net/star-build.ts';
import { fleetPlan, type FleetAgent, type FleetInit, type FleetPlan, type FleetRouter } from './plan.ts';

async function wireRouter(p: FleetPlan, r: FleetRouter): Promise<void> {
  await vethPair(r.ns, 'wan0', p.pubNs, `p-${r.name}`);
  await enslave(p.pubNs, `p-${r.name}`, 'br0');
  await addAddress(r.ns, 'wan0', `${r.wanIp}/16`);
  await addBridge(r.ns, 'lan0');
  await addAddress(r.ns, 'lan0', `${r.lan}.1/24`);
  await sysctl(r.ns, { 'net.ipv4.ip_forward': '1' });
  await nsRun(r.ns, 'nft', ['-f', '-'], { input: natRouterRules({ symmetric: r.kind === 'symmetric' }) });
}

async function wireAgent(p: FleetPlan, a: FleetAgent): Promise<void> {
  const on = a.router ? { ns: a.router.ns, bridge: 'lan0' } : { ns: p.pubNs, bridge: 'br0' };
  await vethPair(a.ns, 'eth0', on.ns, `p-${a.name}`);
  await enslave(on.ns, `p-${a.name}`, on.bridge);
  await addAddress(a.ns, 'eth0', `${a.ip}/${a.router ? 24 : 16}`);
  if (a.router) await defaultRoute(a.ns, `${a.router.lan}.1`);
}

export class FleetTopology {
  readonly procs: ProcessGroup;
  private unregister: () => void = () => {};
  private destroyed = false;

  private constructor(
    readonly plan: FleetPlan,
    readonly runDir: string,
  ) {
    this.procs = new ProcessGroup(join(runDir, 'logs'));
  }

  static async create(
    init: FleetInit & { runDir?: string; log?: (l: string) => void },
  ): Promise<FleetTopology> {
    const log = init.log ?? ((l: string) => process.stderr.write(`${l}\n`));
    const plan = fleetPlan(init);
    const runDir = init.runDir ?? join('/tmp', plan.prefix.replace(/-$/, ''));
    const leftovers = sweepNamespacesSync(plan.prefix);
    if (leftovers.length > 0) log(`removed ${leftovers.length} namespaces left by an earlier run`);
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    const t = new FleetTopology(plan, runDir);
    t.unregister = registerTeardown(
      () => t.destroy({ keepFiles: true }),
      () => void sweepNamespacesSync(plan.prefix),
    );
    try {
      await pool(plan.allNamespaces, 8, addNamespace);
      await addBridge(plan.pubNs, 'br0');
      await vethPair(plan.rdvNs, 'eth0', plan.pubNs, 'p-rdv');
      await enslave(plan.pubNs, 'p-rdv', 'br0');
      await addAddress(plan.rdvNs, 'eth0', `${plan.rdvIp}/16`);
      await pool(plan.routers, 4, (r) => wireRouter(plan, r));
      await pool(plan.agents, 8, (a) => wireAgent(plan, a));
    } catch (e) {
      await t.destroy({ keepFiles: true });
      throw e;
    }
    return t;
  }

  /** Bytes the rendezvous sent (`up`) and received (`down`), on its switch port. */
  async rdvLinkBytes(): Promise<{ up: number; down: number }> {
    const out = await nsRun(this.plan.pubNs, 'ip', ['-j', '-s', 'link', 'show', 'dev', 'p-rdv']);
    const s = (JSON.parse(out) as Array<{ stats64: { rx: { bytes: number }; tx: { bytes: number } } }>)[0];
    if (!s) throw new Error('no stats for p-rdv');
    return { up: s.stats64.rx.bytes, down: s.stats64.tx.bytes };
  }

  async destroy(opts: { keepFiles?: boolean } = {}): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.unregister();
    await this.procs.stopAll(4000);
    sweepNamespacesSync(this.plan.prefix);
    const left = listNamespacesSync(this.plan.prefix);
    if (left.length > 0) process.stderr.write(`natm-fleet: namespaces still present: ${left.join(' ')}\n`);
    if (!opts.keepFiles) rmSync(this.runDir, { recursive: true, force: true });
  }
}
