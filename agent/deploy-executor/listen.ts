/**
 * Where the executor listens. Socket-activated (sd_listen_fds(3): LISTEN_PID is this
 * process and LISTEN_FDS ≥ 1), it serves the socket systemd passed as fd 3, which the
 * socket unit made root:p2p-update 0660. Otherwise (tests, development, no systemd) it
 * binds `socket` itself, replacing a stale socket file but never a live one, and makes
 * it 0660 root:`socketGroup` (0600 without a group). Everything else is one code path.
 */
import { chmod, chown, mkdir, unlink } from 'node:fs/promises';
import { connect, type Server } from 'node:net';
import { dirname } from 'node:path';

/** The passed socket's fd, or null when not socket-activated (pure; env given by the caller). */
export function activationFd(env: Readonly<Record<string, string | undefined>>, pid: number): number | null {
  return Number(env['LISTEN_PID']) === pid && Number(env['LISTEN_FDS']) >= 1 ? 3 : null;
}

function listenOn(server: Server, target: string | { fd: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(target, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function listen(
  server: Server,
  o: { fd: number | null; path: string; gid: number | null },
): Promise<void> {
  if (o.fd !== null) return listenOn(server, { fd: o.fd });
  await mkdir(dirname(o.path), { recursive: true, mode: 0o755 });
  try {
    await listenOn(server, o.path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || (await alive(o.path))) throw e;
    await unlink(o.path);
    await listenOn(server, o.path);
  }
  if (o.gid !== null) await chown(o.path, process.getuid?.() ?? 0, o.gid);
  await chmod(o.path, o.gid === null ? 0o600 : 0o660);
}
