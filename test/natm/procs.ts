/** Test helper: spawn `p2p-update` and coturn processes, wait for output, and always clean up. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/p2p-update', import.meta.url).pathname;

export class Procs {
  private readonly children: ChildProcess[] = [];
  dir = '';

  async init(): Promise<this> {
    this.dir = await mkdtemp(join(tmpdir(), 'p2pn-natm-'));
    return this;
  }

  async file(name: string, content: unknown): Promise<string> {
    const p = join(this.dir, name);
    await writeFile(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  }

  spawn(cmd: string, args: string[]): ChildProcess & { out: () => string } {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout!.on('data', (d) => (out += d));
    c.stderr!.on('data', (d) => (out += d));
    this.children.push(c);
    return Object.assign(c, { out: () => out });
  }

  cli(args: string[]): ReturnType<Procs['spawn']> {
    return this.spawn(process.execPath, [BIN, ...args]);
  }

  /** Run a command to completion (bounded by timeoutMs): [exit code, output]. */
  async run(cmd: string, args: string[], timeoutMs = 20_000): Promise<[number | null, string]> {
    const c = this.spawn(cmd, args);
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((r) => c.on('exit', (code) => r(code)));
    clearTimeout(t);
    return [code, c.out()];
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.children.map((c) => stop(c)));
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

async function stop(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A free UDP port on 127.0.0.1 (bind 0, read it, release). */
export async function freeUdpPort(): Promise<number> {
  const dgram = await import('node:dgram');
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
