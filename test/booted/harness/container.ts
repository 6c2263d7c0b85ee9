/**
 * A booted Debian 13 container: its own root (an overlay over the cached base), booted
 * with real systemd into a network namespace given by name (one the harness made, or one
 * of the Figure 2 topology). Commands run inside with nsenter into all of its namespaces,
 * with a clean environment. It can be powered off and booted again on the same root
 * (what it wrote stays), rebooted, or cut off hard (SIGKILL to its init).
 */
import { sh, type RunResult } from '../../pkg/trixie-root.ts';
import { waitUntil } from '../../e2e/harness/wait.ts';
import { writeIdentity } from './identity.ts';
import { NspawnBoot } from './nspawn.ts';
import { RootCopy } from './overlay.ts';

export interface ContainerInit {
  /** Machine name and hostname, e.g. "n1". */
  readonly name: string;
  /** Network namespace it boots into (/run/netns/NAME); it must exist. */
  readonly netns: string;
  /** The cached base root (base-root.ts). */
  readonly base: string;
  /** Its own directory (root copy); removed with it. */
  readonly dir: string;
  /** Console output of every boot is appended here. */
  readonly consoleLog: string;
  readonly authorizedKeys?: readonly string[];
}

export interface ExecOptions {
  readonly input?: string | Buffer;
  /** Default 120 s. */
  readonly timeoutMs?: number;
}

const ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LC_ALL: 'C.UTF-8',
  HOME: '/root',
  DEBIAN_FRONTEND: 'noninteractive',
  SYSTEMD_PAGER: '',
};

export class Container {
  private current: NspawnBoot | undefined;
  /** Milliseconds from starting nspawn to `systemctl is-system-running` running/degraded. */
  bootMs = 0;
  /** What `systemctl is-system-running` said when the last boot finished. */
  bootState = '';

  private constructor(
    readonly init: ContainerInit,
    readonly copy: RootCopy,
    /** Its SSH host public key line. */
    readonly hostKey: string,
  ) {}

  get name(): string {
    return this.init.name;
  }
  get netns(): string {
    return this.init.netns;
  }
  /** Its root as seen from the host (persistent paths only: /tmp and /run are tmpfs inside). */
  get root(): string {
    return this.copy.root;
  }
  get running(): boolean {
    return this.current !== undefined;
  }
  /** PID (in the host's view) of the container's systemd. */
  get initPid(): number {
    if (!this.current) throw new Error(`container ${this.name} is not running`);
    return this.current.initPid;
  }

  /** Makes its root and identity; does not boot it. */
  static async create(init: ContainerInit): Promise<Container> {
    const copy = await RootCopy.create(init.base, init.dir);
    try {
      const hostKey = await writeIdentity(copy.root, {
        hostname: init.name,
        authorizedKeys: init.authorizedKeys ?? [],
      });
      return new Container(init, copy, hostKey);
    } catch (e) {
      await copy.remove();
      throw e;
    }
  }

  /** Boots it and waits until systemd has finished starting up (running or degraded). */
  async boot(timeoutMs = 90_000): Promise<void> {
    if (this.current) throw new Error(`container ${this.name} is already running`);
    const t0 = Date.now();
    const boot = await NspawnBoot.start({
      name: this.name,
      root: this.root,
      netns: this.netns,
      consoleLog: this.init.consoleLog,
    });
    this.current = boot;
    void boot.exited.then(() => {
      if (this.current === boot) this.current = undefined;
    });
    await waitUntil(
      () =>
        `${this.name} to finish booting (last state "${this.bootState}", console ${this.init.consoleLog})`,
      async () => {
        if (this.current !== boot) throw new Error(`${this.name}: systemd-nspawn exited while booting`);
        this.bootState = (await this.exec(['systemctl', 'is-system-running'])).stdout.trim();
        return this.bootState === 'running' || this.bootState === 'degraded';
      },
      timeoutMs,
      100,
    );
    this.bootMs = Date.now() - t0;
  }

  /** Runs argv inside (as root); never rejects on a non-zero exit. */
  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<RunResult> {
    return sh('nsenter', ['-t', String(this.initPid), '-a', ...argv], {
      env: ENV,
      timeoutMs: opts.timeoutMs ?? 120_000,
      ...(opts.input === undefined ? {} : { input: opts.input }),
    });
  }

  /** Runs argv inside; resolves with its stdout, rejects with its output if it fails. */
  async must(argv: readonly string[], opts: ExecOptions = {}): Promise<string> {
    const r = await this.exec(argv, opts);
    if (r.code !== 0)
      throw new Error(`${this.name}: ${argv.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** Runs a bash script inside (`bash -c`). */
  bash(script: string, opts: ExecOptions = {}): Promise<RunResult> {
    return this.exec(['bash', '-c', script], opts);
  }

  /** Writes `content` to `path` inside (any path, tmpfs ones too), with `mode`. */
  async writeFile(path: string, content: string | Buffer, mode = '0644'): Promise<void> {
    const script = 'umask 077 && cat >"$1" && chmod "$2" "$1"';
    await this.must(['sh', '-c', script, 'sh', path, mode], { input: content });
  }

  /** Reads a file inside. */
  readFile(path: string): Promise<string> {
    return this.must(['cat', path]);
  }

  /** `systemctl poweroff` inside, then waits for nspawn to exit (kills it after `timeoutMs`). */
  async poweroff(timeoutMs = 60_000): Promise<void> {
    const boot = this.current;
    if (!boot) return;
    await this.exec(['systemctl', 'poweroff', '--no-block'], { timeoutMs: 10_000 }).catch(() => undefined);
    await this.awaitExit(boot, timeoutMs);
  }

  /** Powers it off and boots it again on the same root (what it wrote is kept). */
  async powerCycle(): Promise<void> {
    await this.poweroff();
    await this.boot();
  }

  /** `systemctl reboot` inside (nspawn exits with 133), then boots it again. */
  async reboot(): Promise<void> {
    const boot = this.current;
    if (!boot) throw new Error(`container ${this.name} is not running`);
    await this.exec(['systemctl', 'reboot', '--no-block'], { timeoutMs: 10_000 }).catch(() => undefined);
    await this.awaitExit(boot, 60_000);
    await this.boot();
  }

  /** A hard power cut: SIGKILL to its init ends every process inside. */
  async kill(): Promise<void> {
    const boot = this.current;
    if (!boot) return;
    await this.awaitExit(boot, 0);
  }

  /** Waits for nspawn to exit: SIGKILL to the init after `graceMs`, to nspawn 10 s later. */
  private async awaitExit(boot: NspawnBoot, graceMs: number): Promise<void> {
    const timers = [
      setTimeout(() => signal(boot.initPid, 'SIGKILL'), graceMs),
      setTimeout(() => signal(boot.nspawnPid, 'SIGKILL'), graceMs + 10_000),
    ];
    await boot.exited;
    for (const t of timers) clearTimeout(t);
    if (this.current === boot) this.current = undefined;
  }

  /** Stops it (hard) and deletes its root. */
  async remove(): Promise<void> {
    await this.kill();
    await this.copy.remove();
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
