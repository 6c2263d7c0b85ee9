/**
 * A container's own root: an overlay mount over the cached base (the container's writes
 * land in `upper`; the base is never written), or a full copy (`cp -a`) where overlayfs
 * cannot be mounted. remove() unmounts and deletes it, and refuses to delete while
 * anything is still mounted below it; removeSync() is the same for exit handlers.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../../pkg/trixie-root.ts';
import { mountedUnder } from './mounts.ts';

export class RootCopy {
  private constructor(
    /** Everything of this copy lives here (root/, upper/, work/). */
    readonly dir: string,
    readonly kind: 'overlay' | 'copy',
  ) {}

  /** The directory the container boots from. */
  get root(): string {
    return join(this.dir, 'root');
  }

  static async create(base: string, dir: string): Promise<RootCopy> {
    for (const d of ['root', 'upper', 'work']) mkdirSync(join(dir, d), { recursive: true });
    const opts = `lowerdir=${base},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`;
    const mounted = await sh('mount', ['-t', 'overlay', 'overlay', '-o', opts, join(dir, 'root')]);
    if (mounted.code === 0) return new RootCopy(dir, 'overlay');
    const copied = await sh('cp', ['-a', `${base}/.`, join(dir, 'root')], { timeoutMs: 300_000 });
    if (copied.code !== 0)
      throw new Error(`cannot copy ${base}: ${copied.stderr} (overlay: ${mounted.stderr})`);
    return new RootCopy(dir, 'copy');
  }

  async remove(): Promise<void> {
    for (const m of mountedUnder(this.dir)) {
      const r = await sh('umount', [m]);
      if (r.code !== 0) await sh('umount', ['-l', m]);
    }
    deleteUnmounted(this.dir);
  }

  removeSync(): void {
    removeTreeSync(this.dir);
  }
}

/** Lazily unmounts everything below `dir`, then deletes it (never through a mount). */
export function removeTreeSync(dir: string): void {
  for (const m of mountedUnder(dir)) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // reported below if it is still mounted
    }
  }
  deleteUnmounted(dir);
}

function deleteUnmounted(dir: string): void {
  const still = mountedUnder(dir);
  if (still.length > 0) throw new Error(`not deleting ${dir}: still mounted: ${still.join(' ')}`);
  rmSync(dir, { recursive: true, force: true });
}
