/**
 * A daemon under test: a real child process whose pino JSON lines (stderr) are
 * collected, started until a given log message appears, stopped with SIGTERM (the exit
 * code is returned) or SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './util.ts';

export class LoggedProcess {
  readonly logs: Record<string, unknown>[] = [];
  private proc: ChildProcess | null = null;
  private exit: Promise<number | null> = Promise.resolve(null);

  constructor(readonly label: string) {}

  get running(): boolean {
    return this.proc !== null;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(file: string, args: readonly string[], ready: string): Promise<void> {
    const from = this.logs.length;
    const p = spawn(file, [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = p;
    this.exit = new Promise((resolve) => p.once('exit', (code) => resolve(code)));
    let buf = '';
    p.stderr!.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ msg: line, raw: true });
        }
      }
    });
    await waitFor(
      `${this.label} started`,
      () => this.logs.slice(from).some((l) => l['msg'] === ready),
      30_000,
    );
  }

  async stop(): Promise<number | null> {
    const p = this.proc;
    this.proc = null;
    if (!p) return null;
    p.kill('SIGTERM');
    return this.exit;
  }

  async kill9(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p) return;
    p.kill('SIGKILL');
    await this.exit;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the process. */
  signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
    this.proc?.kill(sig);
  }
}
