/**
 * Runs one deployer process (execa, no shell): its own process group (detached), a
 * clean environment, stdin closed, stdout+stderr interleaved into a capped tail, and a
 * timeout that SIGKILLs the whole group. When the leader exits, whatever it left in
 * its group is killed too, so nothing outlives a deploy.
 */
import { execa } from 'execa';
import { DeployError } from './errors.ts';
import { TailBuffer } from './tail-buffer.ts';
import type { DeployCommand } from './deployers.ts';

export interface RunInit {
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  readonly outputCapBytes: number;
  readonly cwd: string;
  /** Called once the process exists, with its pid (= its process group id). */
  readonly onSpawn?: (pid: number) => void | Promise<void>;
  /** Run as this user and group (the caller is root); unset: as the caller. */
  readonly uid?: number;
  readonly gid?: number;
  /**
   * Called when the timeout fires, besides killing the group: for a deploy that runs
   * outside it (a transient systemd unit started by systemd-run).
   */
  readonly onTimeout?: () => Promise<void>;
}

export interface RunResult {
  readonly output: string;
  readonly outputBytes: number;
  readonly durationMs: number;
}

export function killGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

export async function runProcess(cmd: DeployCommand, init: RunInit): Promise<RunResult> {
  const t0 = Date.now();
  const tail = new TailBuffer(init.outputCapBytes);
  const sub = execa(cmd.file, [...cmd.args], {
    env: init.env,
    extendEnv: false,
    cwd: init.cwd,
    detached: true,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
    shell: false,
    ...(init.uid === undefined ? {} : { uid: init.uid }),
    ...(init.gid === undefined ? {} : { gid: init.gid }),
  });
  const pid = sub.pid;
  sub.all?.on('data', (c: Buffer) => tail.push(c));
  // When the leader exits, kill what it left in its group: they would hold the output
  // pipes open (and outlive the deploy).
  sub.once('exit', () => {
    if (pid !== undefined) killGroup(pid);
  });
  let timedOut = false;
  let stopped: Promise<void> = Promise.resolve();
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) killGroup(pid);
    stopped = init.onTimeout?.().catch(() => undefined) ?? stopped;
  }, init.timeoutMs);
  try {
    if (pid !== undefined) await init.onSpawn?.(pid);
  } catch {
    // Recording the pid is best effort; the deploy goes on.
  }
  const r = await sub;
  clearTimeout(timer);
  await stopped;
  const base = { output: tail.text(), outputBytes: tail.total, durationMs: Date.now() - t0 };
  const out = base.output;
  if (timedOut) throw new DeployError('DEPLOY_TIMEOUT', `${cmd.file} killed after ${init.timeoutMs} ms`, out);
  if (r.failed && r.exitCode === undefined && r.signal === undefined)
    throw new DeployError('DEPLOY_SPAWN', `${cmd.file} could not start: ${r.shortMessage ?? ''}`.trim(), out);
  if (r.signal) throw new DeployError('DEPLOY_SIGNAL', `${cmd.file} killed by ${r.signal}`, out);
  if (!cmd.okCodes.includes(r.exitCode ?? -1))
    throw new DeployError('DEPLOY_EXIT', `${cmd.file} exited ${r.exitCode}`, out);
  return base;
}
