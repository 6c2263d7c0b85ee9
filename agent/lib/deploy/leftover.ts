/**
 * Recognising a deploy left behind by an earlier run of the manager. Its process group id
 * is in the store, but after a power loss (or once the group is gone) that number may
 * name an unrelated group: only a group with a live member that still carries the
 * deploy's environment (deployers.ts deployEnv) is ours to kill.
 */
import { readdir, readFile } from 'node:fs/promises';
import { killGroup } from './run-process.ts';

/** The process group of a /proc/<pid>/stat line (field 5; comm may hold spaces and parens). */
export function groupOfStat(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const pgrp = Number(fields[2]);
  return fields[0] === 'Z' || !Number.isSafeInteger(pgrp) ? null : pgrp;
}

async function hasEnv(pid: string, env: Readonly<Record<string, string>>): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
  const vars = new Set(text.split('\0'));
  return Object.entries(env).every(([k, v]) => vars.has(`${k}=${v}`));
}

/** True when a live process of group `pgid` runs with every variable of `env`. */
export async function isDeployGroup(pgid: number, env: Readonly<Record<string, string>>): Promise<boolean> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (stat !== '' && groupOfStat(stat) === pgid && (await hasEnv(pid, env))) return true;
  }
  return false;
}

/** Kills group `pgid` only if it is the deploy with `env`; returns whether it did. */
export async function killDeployGroup(pgid: number, env: Readonly<Record<string, string>>): Promise<boolean> {
  return (await isDeployGroup(pgid, env)) && killGroup(pgid);
}
