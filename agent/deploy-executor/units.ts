/**
 * Talking to systemd about deploy units (the I/O beside launch.ts and unit-result.ts),
 * with `systemd-run` and `systemctl` over systemd's private socket: no D-Bus daemon
 * is needed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { SAFE_PATH } from '../lib/deploy/deployers.ts';
import { parseShow, SHOW_PROPERTIES, type UnitState } from './unit-result.ts';

const run = promisify(execFile);
const OPTS = { timeout: 30_000, env: { PATH: SAFE_PATH, SYSTEMD_PAGER: '' } };

/** sd_booted(3): systemd is the init system of this machine. */
export function systemdRuns(): boolean {
  return existsSync('/run/systemd/system');
}

/** Starts a transient unit (`systemd-run ARGS`); rejects with systemd-run's message. */
export async function startUnit(args: readonly string[]): Promise<void> {
  await run('systemd-run', [...args], OPTS).catch((e: { stderr?: string; message: string }) => {
    throw new Error((e.stderr ?? '').trim() || e.message);
  });
}

export async function unitState(unit: string): Promise<UnitState> {
  const { stdout } = await run(
    'systemctl',
    ['show', ...SHOW_PROPERTIES.flatMap((p) => ['-p', p]), unit],
    OPTS,
  );
  return parseShow(stdout);
}

/** Kills everything in a deploy's transient unit and lets systemd forget it; idempotent. */
export async function stopUnit(unit: string): Promise<void> {
  await run('systemctl', ['kill', '--signal=SIGKILL', unit], OPTS).catch(() => undefined);
  await run('systemctl', ['stop', unit], OPTS).catch(() => undefined);
  await run('systemctl', ['reset-failed', unit], OPTS).catch(() => undefined);
}
