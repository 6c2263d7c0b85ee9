/**
 * How a deployer is started, pure (docs/deploy-executor.md §How it runs). Where systemd
 * runs, every deploy is a transient unit started with `systemd-run` over systemd's own
 * socket (no D-Bus needed): it gets the deployer's user and sandbox properties and its
 * own cgroup, stays loaded after it exits (RemainAfterExit) so that its result can be
 * read, and is not killed with the executor. Without systemd the deployer is spawned
 * directly, as its user (setuid/setgid); a deployer that names a sandbox is then
 * refused: no sandbox is better than a silently missing one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { DeployCommand } from '../lib/deploy/deployers.ts';
import type { Account } from './users.ts';

export type Launch =
  | {
      readonly kind: 'direct';
      readonly cmd: DeployCommand;
      /** The user to become (null: stay root). */
      readonly account: Account | null;
      readonly unit: null;
    }
  | {
      readonly kind: 'unit';
      readonly cmd: DeployCommand;
      readonly unit: string;
      /** systemd-run's arguments: start the unit and return. */
      readonly start: readonly string[];
      /** Where the unit's stdout and stderr go (root-only; read, then removed). */
      readonly output: string;
    };

export interface LaunchOptions {
  readonly systemd: boolean;
  /** The deployer's user, or null for root. */
  readonly account: Account | null;
  readonly sandbox: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The update's work dir, under stateDir/work/. */
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

export function launch(cmd: DeployCommand, o: LaunchOptions): Launch | { readonly refused: string } {
  if (!o.systemd) {
    if (o.sandbox.length > 0)
      return {
        refused: `the deployer asks for a sandbox (${o.sandbox[0]}), and systemd is not running here`,
      };
    return { kind: 'direct', cmd, account: o.account, unit: null };
  }
  const unit = unitName(o.uri, o.version);
  const output = join(dirname(o.cwd), `.${unit}.log`);
  // systemd stops the unit at this bound too, should the executor's own timer be gone.
  const maxSec = Math.ceil(o.timeoutMs / 1000) + 30;
  const start = [
    '--quiet',
    '--service-type=exec',
    `--unit=${unit}`,
    `--working-directory=${o.cwd}`,
    ...['-p', 'RemainAfterExit=yes', '-p', `RuntimeMaxSec=${maxSec}`],
    ...['-p', `StandardOutput=append:${output}`, '-p', `StandardError=append:${output}`],
    ...(o.account ? ['-p', `User=${o.account.name}`] : []),
    ...o.sandbox.flatMap((p) => ['-p', p]),
    ...Object.entries(o.env).map(([k, v]) => `--setenv=${k}=${v}`),
    '--',
    cmd.file,
    ...cmd.args,
  ];
  return { kind: 'unit', cmd, unit, start, output };
}
