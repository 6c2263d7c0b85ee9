/**
 * A deployer's health check (docs/rollouts.md §Health checks), run by the executor right
 * after the deployer applied an update: the configured command, as the deployer's user in
 * its sandbox, no shell, with the deploy's environment and P2PU_HEALTH=1. Exit 0 is
 * healthy; up to 1 + retries attempts, intervalMs apart. The verdict is the caller's to
 * record.
 */
import { DeployError } from '../lib/deploy/errors.ts';
import type { ExecutorCore } from './core.ts';
import type { DeployerConfig } from './config.ts';
import { launch } from './launch.ts';
import { runLaunch } from './run-launch.ts';
import type { Account } from './users.ts';

export interface HealthTarget {
  readonly uri: string;
  readonly version: number;
  /** The deploy's environment (P2PU_URI, P2PU_VERSION, P2PU_FILE, ...). */
  readonly env: Record<string, string>;
  readonly dir: string;
  readonly account: Account | null;
}

export type HealthVerdict =
  | { readonly ok: true; readonly attempts: number }
  | { readonly ok: false; readonly attempts: number; readonly reason: string; readonly output: string };

const pause = (core: ExecutorCore, ms: number): Promise<void> =>
  new Promise((r) => void core.clock.setTimeout(r, ms));

/** Runs `d`'s health check on the update; a deployer without one is healthy. */
export async function checkHealth(
  core: ExecutorCore,
  d: DeployerConfig,
  t: HealthTarget,
): Promise<HealthVerdict> {
  const h = d.health;
  if (h === undefined) return { ok: true, attempts: 0 };
  const log = core.log.child({ uri: t.uri, version: t.version });
  const cmd = { file: h.path, args: h.args, okCodes: [0] };
  const env = { ...t.env, P2PU_HEALTH: '1' };
  let last = { reason: '', output: '' };
  for (let attempt = 1; attempt <= 1 + h.retries; attempt++) {
    if (attempt > 1) await pause(core, h.intervalMs);
    const opts = { ...t, systemd: core.systemd, sandbox: d.sandbox, env, cwd: t.dir, timeoutMs: h.timeoutMs };
    const l = launch(cmd, opts);
    if ('refused' in l) return { ok: false, attempts: attempt, reason: l.refused, output: '' };
    try {
      await runLaunch(core, l, { env, cwd: t.dir, timeoutMs: h.timeoutMs });
      log.info({ attempt, cmd: h.path }, 'health check passed');
      return { ok: true, attempts: attempt };
    } catch (e) {
      if (!(e instanceof DeployError)) throw e;
      last = { reason: `health check ${e.code}: ${e.message}`, output: e.outputTail };
      log.warn({ attempt, of: 1 + h.retries, code: e.code, err: e.message }, 'health check failed');
    }
  }
  return { ok: false, attempts: 1 + h.retries, ...last };
}
