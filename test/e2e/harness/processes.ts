/**
 * Child processes started inside namespaces (`ip netns exec NS cmd`, which execs into
 * cmd, so the child's pid is the daemon's). Each runs in its own process group with its
 * output in a log file; stop() signals the group and awaits the exit, so nothing is
 * left as a zombie; stopAll() stops everything still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface Managed {
  readonly name: string;
  readonly ns: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
}

export interface SpawnOptions {
  readonly env?: Record<string, string>;
  /** 'pipe' gives the caller child.stdin / child.stdout (e.g. a line protocol). */
  readonly stdio?: 'log' | 'pipe';
  readonly cwd?: string;
}

export class ProcessGroup {
  private readonly procs = new Map<string, Managed>();

  constructor(private readonly logDir: string) {}

  spawn(name: string, ns: string, cmd: string, args: readonly string[], opts: SpawnOptions = {}): Managed {
    if (this.procs.get(name)?.running()) throw new Error(`process ${name} is already running`);
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const pipe = opts.stdio === 'pipe';
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      detached: true,
      stdio: [pipe ? 'pipe' : 'ignore', pipe ? 'pipe' : fd, fd],
      env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...opts.env },
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    closeSync(fd);
    let alive = true;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => {
        alive = false;
        resolve({ code, signal });
      });
      child.once('error', () => {
        alive = false;
        resolve({ code: null, signal: null });
      });
    });
    const m: Managed = { name, ns, child, logFile, exited, running: () => alive };
    this.procs.set(name, m);
    return m;
  }

  get(name: string): Managed | undefined {
    return this.procs.get(name);
  }

  /** SIGTERM (or `signal`) to the process group, SIGKILL after `graceMs`; resolves on exit. */
  async stop(name: string, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    const m = this.procs.get(name);
    if (!m || !m.running() || m.child.pid === undefined) return;
    const pid = m.child.pid;
    const kill = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid, s);
      } catch {
        // group already gone
      }
    };
    kill(signal);
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    await m.exited;
    clearTimeout(timer);
  }

  async stopAll(graceMs = 5000): Promise<void> {
    await Promise.all([...this.procs.keys()].map((n) => this.stop(n, 'SIGTERM', graceMs)));
  }
}
