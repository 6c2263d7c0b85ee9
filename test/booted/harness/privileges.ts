/**
 * Attempts made as a given user inside a booted container (`runuser -u USER`), and what
 * the kernel says about a service's process (/proc/PID/status): its capabilities, no-new-
 * privileges, seccomp, supplementary groups. Each attempt reports whether it succeeded,
 * so a test asserts both what a daemon's user must be able to do and what it must not.
 */
import type { Container } from './container.ts';

/** `sh -c script` as `user`: true when it exited 0. */
export async function succeedsAs(c: Container, user: string, script: string): Promise<boolean> {
  const r = await c.exec(['runuser', '-u', user, '--', 'sh', '-c', script]);
  return r.code === 0;
}

/** Connects to a Unix stream socket as `user` (python3 from the base); true on success. */
export async function connectsAs(c: Container, user: string, socket: string): Promise<boolean> {
  const py = 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()';
  const r = await c.exec(['runuser', '-u', user, '--', 'python3', '-c', py, socket]);
  return r.code === 0;
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
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  const gids = field('Groups').split(/\s+/).filter(Boolean);
  const groups = await Promise.all(
    gids.map(async (g) => (await c.must(['getent', 'group', g])).split(':')[0]!),
  );
  return {
    capEff: field('CapEff'),
    capBnd: field('CapBnd'),
    noNewPrivs: field('NoNewPrivs'),
    seccomp: field('Seccomp'),
    groups: groups.sort(),
  };
}
