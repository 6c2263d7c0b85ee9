/**
 * Looking up the user a deployer runs as (and the socket's group) through the system's
 * name service (`getent`, so NSS sources count as well as /etc/passwd). Looked up at each
 * deploy: a user created after the executor started is found.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** `name`'s uid and primary gid, or null when there is no such user. */
export async function lookupUser(name: string): Promise<Account | null> {
  const out = await run('getent', ['passwd', name], { timeout: 5000 }).catch(() => null);
  const f = out?.stdout.split('\n')[0]?.split(':');
  if (!f || f[0] !== name) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  return Number.isSafeInteger(uid) && Number.isSafeInteger(gid) ? { name, uid, gid } : null;
}

/** `name`'s gid, or null when there is no such group. */
export async function lookupGroup(name: string): Promise<number | null> {
  const out = await run('getent', ['group', name], { timeout: 5000 }).catch(() => null);
  const f = out?.stdout.split('\n')[0]?.split(':');
  const gid = Number(f?.[2]);
  return f?.[0] === name && Number.isSafeInteger(gid) ? gid : null;
}

export const ROOT: Account = { name: 'root', uid: 0, gid: 0 };
