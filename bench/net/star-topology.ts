/**
 * StarTopology: a star plan built in namespaces, with a process group for everything
 * started inside it. create() sweeps leftovers of an earlier run with the same prefix and
 * registers teardown for Ctrl-C/SIGTERM/exit (the e2e harness's mechanism); destroy()
 * stops the processes, deletes the namespaces and, unless asked to keep them, the files.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { listNamespacesSync, sweepNamespacesSync } from '../../test/e2e/harness/netns.ts';
import { ProcessGroup } from '../../test/e2e/harness/processes.ts';
import { nsRun } from '../../test/e2e/harness/run.ts';
import { registerTeardown } from '../../test/e2e/harness/teardown.ts';
import type { Shape } from './shaping.ts';
import { buildStar } from './star-build.ts';
import { starPlan, uplinkHost, type StarInit, type StarNode, type StarPlan } from './star-plan.ts';

export interface LinkBytes {
  /** Bytes the host (or its router) sent up the access link. */
  readonly up: number;
  /** Bytes the access link delivered down to it. */
  readonly down: number;
}

export class StarTopology {
  readonly procs: ProcessGroup;
  private unregister: () => void = () => {};
  private destroyed = false;

  private constructor(
    readonly plan: StarPlan,
    readonly runDir: string,
  ) {
    this.procs = new ProcessGroup(join(runDir, 'logs'));
  }

  static async create(
    init: StarInit & { shape: Shape; runDir?: string; log?: (l: string) => void },
  ): Promise<StarTopology> {
    const log = init.log ?? ((l: string) => process.stderr.write(`${l}\n`));
    const plan = starPlan(init);
    const runDir = init.runDir ?? join('/tmp', plan.prefix.replace(/-$/, ''));
    const leftovers = sweepNamespacesSync(plan.prefix);
    if (leftovers.length > 0) log(`bench: removed ${leftovers.length} namespaces left by an earlier run`);
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    const t = new StarTopology(plan, runDir);
    t.unregister = registerTeardown(
      () => t.destroy({ keepFiles: true }),
      () => void sweepNamespacesSync(plan.prefix),
    );
    try {
      await buildStar(plan, init.shape);
    } catch (e) {
      await t.destroy({ keepFiles: true });
      throw e;
    }
    return t;
  }

  get hosts(): readonly StarNode[] {
    return [this.plan.origin, ...this.plan.nodes];
  }

  /** Byte counters of a host's access link, read on the switch port (tx = towards the host). */
  async linkBytes(n: StarNode): Promise<LinkBytes> {
    const out = await nsRun(this.plan.pubNs, 'ip', ['-j', '-s', 'link', 'show', 'dev', n.switchPort]);
    const s = (JSON.parse(out) as Array<{ stats64: { rx: { bytes: number }; tx: { bytes: number } } }>)[0];
    if (!s) throw new Error(`no stats for ${n.switchPort}`);
    return { up: s.stats64.rx.bytes, down: s.stats64.tx.bytes };
  }

  async allLinkBytes(): Promise<Map<string, LinkBytes>> {
    const m = new Map<string, LinkBytes>();
    await Promise.all(this.hosts.map(async (n) => m.set(n.name, await this.linkBytes(n))));
    return m;
  }

  uplink(n: StarNode): { ns: string; dev: string } {
    return uplinkHost(n);
  }

  async destroy(opts: { keepFiles?: boolean } = {}): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.unregister();
    await this.procs.stopAll(4000);
    sweepNamespacesSync(this.plan.prefix);
    const left = listNamespacesSync(this.plan.prefix);
    if (left.length > 0) process.stderr.write(`bench: namespaces still present: ${left.join(' ')}\n`);
    if (!opts.keepFiles) rmSync(this.runDir, { recursive: true, force: true });
  }
}
