/**
 * Runs a launched command (launch.ts) to its end: as a transient systemd unit, or spawned
 * directly as the deployer's user. Deploys, health checks and rollbacks all go through here,
 * so each runs with the same user, sandbox, environment contract and no shell.
 */
import type { RunResult } from '../lib/deploy/run-process.ts';
import type { ExecutorCore } from './core.ts';
import type { Launch } from './launch.ts';

export interface LaunchRun {
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly timeoutMs: number;
  /** A directly spawned command's process group, once it exists. */
  readonly onSpawn?: (pid: number) => Promise<void>;
}

export function runLaunch(core: ExecutorCore, l: Launch, o: LaunchRun): Promise<RunResult> {
  const caps = { timeoutMs: o.timeoutMs, outputCapBytes: core.config.deploy.outputCapBytes };
  if (l.kind === 'unit') return core.runUnit(l, caps);
  return core.run(l.cmd, {
    ...caps,
    env: o.env,
    cwd: o.cwd,
    ...(l.account ? { uid: l.account.uid, gid: l.account.gid } : {}),
    ...(o.onSpawn ? { onSpawn: o.onSpawn } : {}),
  });
}
