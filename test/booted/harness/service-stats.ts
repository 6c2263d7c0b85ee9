/**
 * What a running service is, seen from inside its container: its main process's user,
 * RSS (/proc/PID/status) and PSS (/proc/PID/smaps_rollup), and systemd's own exposure
 * score for its unit (`systemd-analyze security`, 0 safest .. 10).
 */
import type { Container } from './container.ts';

export interface ServiceProcess {
  readonly pid: number;
  readonly user: string;
  readonly rssKiB: number;
  readonly pssKiB: number;
}

export async function mainPid(c: Container, unit: string): Promise<number> {
  const pid = Number((await c.must(['systemctl', 'show', '-P', 'MainPID', unit])).trim());
  if (!pid) throw new Error(`${c.name}: ${unit} has no main process`);
  return pid;
}

export async function serviceProcess(c: Container, unit: string): Promise<ServiceProcess> {
  const pid = await mainPid(c, unit);
  const user = (await c.must(['ps', '-o', 'user=', '-p', String(pid)])).trim();
  const status = await c.readFile(`/proc/${pid}/status`);
  const rollup = await c.readFile(`/proc/${pid}/smaps_rollup`);
  return { pid, user, rssKiB: kib(status, 'VmRSS'), pssKiB: kib(rollup, 'Pss') };
}

function kib(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
  if (!m) throw new Error(`no ${field} in ${text.slice(0, 200)}`);
  return Number(m[1]);
}

/** `systemd-analyze security UNIT`: the overall exposure level. */
export async function exposure(c: Container, unit: string): Promise<number> {
  const out = await c.must(['systemd-analyze', 'security', '--no-pager', unit]);
  const m = /Overall exposure level for \S+: ([\d.]+)/.exec(out);
  if (!m) throw new Error(`${c.name}: no exposure level for ${unit}:\n${out.slice(-500)}`);
  return Number(m[1]);
}
