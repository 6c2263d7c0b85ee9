/**
 * A fresh Debian 13 (trixie) root for the package tests: unpacked from a cached
 * debootstrap tarball (made once by trixie-base.sh), /proc mounted, services kept from
 * starting (policy-rc.d). `cleanup()` unmounts and deletes it, and refuses to delete while
 * anything is still mounted inside.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const HERE = new URL('.', import.meta.url).pathname;
export const REPO = new URL('../../', import.meta.url).pathname;
export const BASE_TARBALL = '/var/cache/p2pk-trixie.tar';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

const CHROOT_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LC_ALL: 'C.UTF-8',
  HOME: '/root',
  DEBIAN_FRONTEND: 'noninteractive',
};

/**
 * Runs a command; resolves with its output and exit code (never rejects on exit != 0).
 * `input` is written to its stdin; after `timeoutMs` it is killed and the promise rejects.
 */
export function sh(
  file: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string | Buffer; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        maxBuffer: 64 << 20,
        timeout: opts.timeoutMs ?? 0,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, code: 0 });
        const e = err as { code?: unknown; killed?: boolean };
        if (typeof e.code === 'number') return resolve({ stdout, stderr, code: e.code });
        const why = e.killed ? `killed after ${opts.timeoutMs} ms` : err.message;
        reject(new Error(`${file} ${args.join(' ')}: ${why}\n${stdout}\n${stderr}`, { cause: err }));
      },
    );
    // A command that never reads its stdin may exit first: EPIPE then is no error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

/** Builds the .deb into a new temp dir; returns its path and the dir (caller removes it). */
export function buildDeb(): { deb: string; dir: string } {
  const dir = mkdtempSync('/tmp/p2pk-deb-');
  const out = execFileSync('bash', [join(REPO, 'packaging/build-deb.sh'), dir], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { deb: out.trim().split('\n').at(-1) ?? '', dir };
}

/** Makes the cached minbase tarball (trixie-base.sh) unless it is there and fresh. */
export async function ensureBaseTarball(): Promise<void> {
  const made = await sh('bash', [join(HERE, 'trixie-base.sh'), BASE_TARBALL]);
  if (made.code !== 0) throw new Error(`trixie-base.sh failed:\n${made.stderr}`);
}

/** Roots left by a run that was killed (older than an hour): unmount and delete them. */
async function sweepStale(): Promise<void> {
  const hourAgo = Date.now() - 3600_000;
  for (const name of readdirSync('/var/tmp').filter((n) => n.startsWith('p2pk-root-'))) {
    const dir = join('/var/tmp', name);
    // ctime, not mtime: tar restores the base tarball's old mtime on a root it has just
    // unpacked, which made a live root of a concurrent test look stale.
    if (statSync(dir).ctimeMs > hourAgo) continue;
    const proc = join(dir, 'proc');
    if (readFileSync('/proc/mounts', 'utf8').includes(` ${proc} `)) await sh('umount', ['-l', proc]);
    if (!readFileSync('/proc/mounts', 'utf8').includes(` ${dir}/`))
      rmSync(dir, { recursive: true, force: true });
  }
}

export class TrixieRoot {
  private mounted = false;

  private constructor(readonly dir: string) {}

  static async fresh(): Promise<TrixieRoot> {
    await sweepStale();
    await ensureBaseTarball();
    const root = new TrixieRoot(mkdtempSync('/var/tmp/p2pk-root-'));
    try {
      await root.must('tar', ['-C', root.dir, '-xf', BASE_TARBALL]);
      copyFileSync('/etc/resolv.conf', join(root.dir, 'etc/resolv.conf'));
      writeFileSync(join(root.dir, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
      await root.must('mount', ['-t', 'proc', 'proc', join(root.dir, 'proc')]);
      root.mounted = true;
      return root;
    } catch (e) {
      await root.cleanup();
      throw e;
    }
  }

  /** Runs a command inside the root. */
  chroot(cmd: string[]): Promise<RunResult> {
    return sh('chroot', [this.dir, ...cmd], { env: CHROOT_ENV });
  }

  /** Runs a command inside the root; throws with its output when it fails. */
  async in(cmd: string[]): Promise<string> {
    const r = await this.chroot(cmd);
    if (r.code !== 0) throw new Error(`${cmd.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  async aptInstall(args: string[]): Promise<string> {
    return this.in(['apt-get', 'install', '-y', '-q', '-o', 'Dpkg::Use-Pty=0', ...args]);
  }

  path(p: string): string {
    return join(this.dir, p);
  }

  read(p: string): string {
    return readFileSync(this.path(p), 'utf8');
  }

  private async must(file: string, args: string[]): Promise<void> {
    const r = await sh(file, args);
    if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  }

  /**
   * Makes this root a lasting directory at `dest` (same filesystem) instead of deleting
   * it: /proc unmounted, the policy-rc.d and the host's resolv.conf removed, so services
   * start again when it boots. A cached layer over the base (test/booted/harness/base-root.ts).
   */
  async keepAs(dest: string): Promise<void> {
    await this.unmountProc();
    rmSync(this.path('usr/sbin/policy-rc.d'), { force: true });
    writeFileSync(this.path('etc/resolv.conf'), '');
    renameSync(this.dir, dest);
  }

  private async unmountProc(): Promise<void> {
    if (!this.mounted) return;
    const r = await sh('umount', [join(this.dir, 'proc')]);
    if (r.code !== 0) await sh('umount', ['-l', join(this.dir, 'proc')]);
    this.mounted = false;
  }

  /** Unmounts everything under the root, then deletes it. Safe to call twice. */
  async cleanup(): Promise<void> {
    await this.unmountProc();
    const still = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.split(' ')[1]?.startsWith(this.dir + '/'));
    if (still.length > 0) throw new Error(`not deleting ${this.dir}: still mounted: ${still.join('; ')}`);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
