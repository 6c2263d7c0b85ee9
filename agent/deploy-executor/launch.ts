/**
 * How a deployer is started, pure (docs/deploy-executor.md §Users and sandboxes). Where
 * systemd runs, every deploy is a transient unit started with `systemd-run --wait
 * --pipe`: it gets the deployer's user and sandbox properties, its own cgroup and its
 * own journal lines, and it is not killed with the executor. Without systemd the
 * deployer is spawned directly, as its user (setuid/setgid); a deployer that names a
 * sandbox is then refused: no sandbox is better than a silently missing one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DeployCommand } from '../lib/deploy/deployers.ts';
import type { Account } from './users.ts';

export interface Launch {
  readonly cmd: DeployCommand;
  /** Direct spawn only: the user to become (absent: stay root). */
  readonly account: Account | null;
  /** systemd only: the transient unit's name. */
  readonly unit: string | null;
}

export interface LaunchOptions {
  readonly systemd: boolean;
  /** The deployer's user, or null for root. */
  readonly account: Account | null;
  readonly sandbox: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly uri: string;
  readonly version: number;
}

/** A unit name per attempt: the URI's hash, the version, and a random tag. */
export function unitName(uri: string, version: number): string {
  const h = createHash('sha256').update(uri).digest('hex').slice(0, 12);
  return `p2p-update-deploy-${h}-${version}-${randomBytes(3).toString('hex')}.service`;
}

export function launch(base: DeployCommand, o: LaunchOptions): Launch | { readonly refused: string } {
  if (!o.systemd) {
    if (o.sandbox.length > 0)
      return {
        refused: `the deployer asks for a sandbox (${o.sandbox[0]}), and systemd is not running here`,
      };
    return { cmd: base, account: o.account, unit: null };
  }
  const unit = unitName(o.uri, o.version);
  // systemd stops the unit at this bound too, should the executor's own timer be gone.
  const maxSec = Math.ceil(o.timeoutMs / 1000) + 30;
  const args = [
    '--wait',
    '--pipe',
    '--collect',
    '--quiet',
    '--service-type=exec',
    `--unit=${unit}`,
    `--working-directory=${o.cwd}`,
    '-p',
    `RuntimeMaxSec=${maxSec}`,
    ...(o.account ? ['-p', `User=${o.account.name}`] : []),
    ...o.sandbox.flatMap((p) => ['-p', p]),
    ...Object.entries(o.env).map(([k, v]) => `--setenv=${k}=${v}`),
    '--',
    base.file,
    ...base.args,
  ];
  return { cmd: { ...base, file: 'systemd-run', args }, account: null, unit };
}
