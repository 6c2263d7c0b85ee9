/**
 * A bed of booted Debian 13 containers for one test file. create() removes what a killed
 * earlier run with the same prefix left, builds (or finds) the cached base root, makes the
 * bed's LAN (lan.ts) and a per-run SSH key, and registers a teardown for Ctrl-C, SIGTERM
 * and exit. boot() starts a container on the LAN, or in any existing namespace by name
 * (e.g. a node of the Figure 2 topology). destroy() kills the containers, stops the
 * controller-side processes, removes namespaces, overlay mounts and files; with keepLogs
 * (a failed test) the logs and each running container's journal stay in /tmp/<prefix>.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGroup } from '../../e2e/harness/processes.ts';
import { registerTeardown } from '../../e2e/harness/teardown.ts';
import { bootedBase } from './base-root.ts';
import { Container } from './container.ts';
import { Lan } from './lan.ts';
import { SshIdentity } from './ssh.ts';
import { runDirOf, sweepBedSync } from './sweep.ts';

export interface BedInit {
  /** Names of its namespaces, run dir and containers: `p2ps-x-` (distinct per test file). */
  readonly prefix: string;
  readonly log?: (line: string) => void;
}

export interface BootOptions {
  /** Boot into this existing namespace instead of a new one on the bed's LAN. */
  readonly netns?: string;
}

export class Bed {
  readonly containers = new Map<string, Container>();
  /** Controller-side processes (in the hub namespace), logs in logDir. */
  readonly procs: ProcessGroup;
  private readonly ips = new Map<string, string>();
  private unregister: () => void = () => {};
  private destroyed = false;

  private constructor(
    readonly prefix: string,
    readonly runDir: string,
    readonly base: string,
    readonly lan: Lan,
    readonly ssh: SshIdentity,
    readonly log: (line: string) => void,
  ) {
    this.procs = new ProcessGroup(this.logDir);
  }

  get logDir(): string {
    return join(this.runDir, 'logs');
  }

  static async create(init: BedInit): Promise<Bed> {
    const { prefix } = init;
    if (!/^p2ps-[a-z0-9]{1,3}-$/.test(prefix))
      throw new Error(`bed prefix must look like p2ps-x-, got "${prefix}"`);
    const log = init.log ?? ((l: string) => process.stderr.write(`${l}\n`));
    const leftovers = sweepBedSync(prefix);
    if (leftovers.length > 0) log(`booted: removed leftovers of an earlier run: ${leftovers.join(' ')}`);
    rmSync(keptLogsDir(prefix), { recursive: true, force: true });
    const runDir = runDirOf(prefix);
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    const unregister = registerTeardown(
      async () => void sweepBedSync(prefix),
      () => void sweepBedSync(prefix),
    );
    try {
      const base = await bootedBase(log);
      const lan = await Lan.create(prefix);
      const bed = new Bed(prefix, runDir, base, lan, await SshIdentity.generate(runDir), log);
      unregister();
      bed.unregister = registerTeardown(
        () => bed.destroy({ keepLogs: true }),
        () => void sweepBedSync(prefix),
      );
      return bed;
    } catch (e) {
      unregister();
      sweepBedSync(prefix);
      throw e;
    }
  }

  /** Creates and boots container `name`; see BootOptions. */
  async boot(name: string, opts: BootOptions = {}): Promise<Container> {
    if (this.containers.has(name)) throw new Error(`container ${name} exists already`);
    const host = opts.netns === undefined ? await this.lan.attach(name) : { ns: opts.netns, ip: undefined };
    const c = await Container.create({
      name,
      netns: host.ns,
      base: this.base,
      dir: join(this.runDir, 'machines', name),
      consoleLog: join(this.logDir, `${name}.console`),
      authorizedKeys: [this.ssh.publicKey],
    });
    this.containers.set(name, c);
    if (host.ip !== undefined) {
      this.ips.set(name, host.ip);
      this.ssh.trust(host.ip, c.hostKey);
    }
    await c.boot();
    this.log(`booted: ${name} up in ${c.bootMs} ms (${c.bootState})`);
    return c;
  }

  /** Address of a container on the bed's LAN. */
  ip(name: string): string {
    const ip = this.ips.get(name);
    if (ip === undefined) throw new Error(`container ${name} is not on the bed's LAN`);
    return ip;
  }

  async destroy(opts: { keepLogs?: boolean } = {}): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.unregister();
    if (opts.keepLogs) await this.saveJournals();
    await Promise.all([...this.containers.values()].map((c) => c.kill()));
    await this.procs.stopAll(3000);
    if (opts.keepLogs) {
      cpSync(this.logDir, keptLogsDir(this.prefix), { recursive: true });
      this.log(`booted: logs kept in ${keptLogsDir(this.prefix)}`);
    }
    sweepBedSync(this.prefix);
  }

  private async saveJournals(): Promise<void> {
    for (const c of this.containers.values()) {
      if (!c.running) continue;
      const j = await c
        .exec(['journalctl', '-b', '--no-pager'], { timeoutMs: 20_000 })
        .catch(() => undefined);
      if (j) writeFileSync(join(this.logDir, `${c.name}.journal`), j.stdout);
    }
  }
}

function keptLogsDir(prefix: string): string {
  return join('/tmp', prefix.replace(/-$/, ''));
}
