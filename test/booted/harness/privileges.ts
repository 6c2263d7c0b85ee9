/**
 * Attempts made with a running service's credentials inside a booted container, and what
 * the kernel says about its process (/proc/PID/status): capabilities, no-new-privileges,
 * seccomp, groups. `setpriv` gives the attempt the service's own uid, gid and
 * supplementary groups (those of its unit, e.g. SupplementaryGroups=, not only
 * /etc/group's), so a test asserts both what a daemon must be able to do and what it
 * must not, as that daemon.
 */
import type { Container } from './container.ts';
import { mainPid } from './service-stats.ts';

export interface Credentials {
  readonly unit: string;
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
}

/** The real uid, gid and supplementary groups of `unit`'s main process. */
export async function credentialsOf(c: Container, unit: string): Promise<Credentials> {
  const status = await c.readFile(`/proc/${await mainPid(c, unit)}/status`);
  const ids = (name: string) => (field(status, name).split(/\s+/).filter(Boolean) ?? []).map(Number);
  return { unit, uid: ids('Uid')[0]!, gid: ids('Gid')[0]!, groups: ids('Groups') };
}

function setpriv(who: Credentials): string[] {
  const groups = who.groups.length ? [`--groups=${who.groups.join(',')}`] : ['--clear-groups'];
  return ['setpriv', `--reuid=${who.uid}`, `--regid=${who.gid}`, ...groups, '--'];
}

/** `sh -c script` with `who`'s credentials: true when it exited 0. */
export async function succeedsAs(c: Container, who: Credentials, script: string): Promise<boolean> {
  return (await c.exec([...setpriv(who), 'sh', '-c', script])).code === 0;
}

/** Connects to a Unix stream socket with `who`'s credentials (python3 from the base). */
export async function connectsAs(c: Container, who: Credentials, socket: string): Promise<boolean> {
  const py = 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()';
  return (await c.exec([...setpriv(who), 'python3', '-c', py, socket])).code === 0;
}

export interface ProcessPrivileges {
  readonly capEff: string;
  readonly capBnd: string;
  readonly noNewPrivs: string;
  /** 2 = seccomp filter. */
  readonly seccomp: string;
  /** Supplementary group names. */
  readonly groups: string[];
}

export async function processPrivileges(c: Container, pid: number): Promise<ProcessPrivileges> {
  const status = await c.readFile(`/proc/${pid}/status`);
  const gids = field(status, 'Groups').split(/\s+/).filter(Boolean);
  const groups = await Promise.all(
    gids.map(async (g) => (await c.must(['getent', 'group', g])).split(':')[0]!),
  );
  return {
    capEff: field(status, 'CapEff'),
    capBnd: field(status, 'CapBnd'),
    noNewPrivs: field(status, 'NoNewPrivs'),
    seccomp: field(status, 'Seccomp'),
    groups: groups.sort(),
  };
}

function field(status: string, name: string): string {
  return new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
}
