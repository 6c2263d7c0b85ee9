/** Talking to systemd about deploy units (the I/O beside launch.ts). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** sd_booted(3): systemd is the init system of this machine. */
export function systemdRuns(): boolean {
  return existsSync('/run/systemd/system');
}

/** Kills everything in a deploy's transient unit and lets systemd forget it; idempotent. */
export async function stopUnit(unit: string): Promise<void> {
  const opts = { timeout: 30_000 };
  await run('systemctl', ['kill', '--signal=SIGKILL', unit], opts).catch(() => undefined);
  await run('systemctl', ['stop', unit], opts).catch(() => undefined);
  await run('systemctl', ['reset-failed', unit], opts).catch(() => undefined);
}
