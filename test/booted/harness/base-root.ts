/**
 * The cached root every booted container starts from: the package tests' trixie minbase
 * (test/pkg/trixie-base.sh, unpacked by TrixieRoot) plus the booted layer (base-layer.sh:
 * systemd, dbus, sshd, python3, and the .debs p2p-update's Depends pull, fetched only).
 * Kept as a plain directory, the read-only lower layer of each container's overlay:
 *   /var/tmp/p2pu-booted/base-<key>/root   key = hash of the recipe (both scripts, the
 *                                          Depends line, the minbase tarball's date)
 * so a changed recipe builds a new one. Built once, under a lock shared by processes;
 * bases of other recipes are removed when no container uses them and they are a day old.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { BASE_TARBALL, ensureBaseTarball, REPO, TrixieRoot } from '../../pkg/trixie-root.ts';
import { withFileLock } from './lock.ts';
import { isLowerLayer, mountedUnder } from './mounts.ts';

export const CACHE_DIR = '/var/tmp/p2pu-booted';
const LAYER = new URL('./base-layer.sh', import.meta.url).pathname;
const READY = 'ready';

/** The package names of p2p-update's Depends (packaging/debian/control.in), versions dropped. */
export function debDepends(): string[] {
  const control = readFileSync(join(REPO, 'packaging/debian/control.in'), 'utf8');
  const line = /^Depends:(.*)$/m.exec(control)?.[1] ?? '';
  return line
    .split(',')
    .map((d) => d.trim().split(/[\s(|]/)[0] ?? '')
    .filter(Boolean);
}

function recipeKey(depends: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of [join(REPO, 'test/pkg/trixie-base.sh'), LAYER]) h.update(readFileSync(f));
  h.update(depends.join(' '));
  if (existsSync(BASE_TARBALL)) h.update(String(statSync(BASE_TARBALL).mtimeMs));
  return h.digest('hex').slice(0, 16);
}

/** Path of the cached base root (a directory), built first if this recipe has none yet. */
export async function bootedBase(log: (line: string) => void = () => {}): Promise<string> {
  mkdirSync(CACHE_DIR, { recursive: true });
  return withFileLock(join(CACHE_DIR, 'base.lock'), async () => {
    // Made under the lock: trixie-base.sh may refresh the tarball, which changes the key.
    const depends = debDepends();
    await ensureBaseTarball();
    const dir = join(CACHE_DIR, `base-${recipeKey(depends)}`);
    const root = join(dir, 'root');
    if (existsSync(join(dir, READY))) return root;
    const t0 = Date.now();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const probe = await TrixieRoot.fresh();
    try {
      copyFileSync(LAYER, probe.path('root/base-layer.sh'));
      await probe.in(['bash', '/root/base-layer.sh', ...depends]);
      rmSync(probe.path('root/base-layer.sh'));
      await probe.keepAs(root);
      writeFileSync(join(dir, READY), `${depends.join(' ')}\n`);
      log(`booted: built the base root ${dir} in ${Date.now() - t0} ms`);
    } finally {
      await probe.cleanup();
    }
    removeOldBases(dir);
    return root;
  });
}

function removeOldBases(keep: string): void {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(CACHE_DIR).filter((n) => n.startsWith('base-'))) {
    const dir = join(CACHE_DIR, name);
    const ready = join(dir, READY);
    if (dir === keep || (existsSync(ready) && statSync(ready).mtimeMs > dayAgo)) continue;
    if (isLowerLayer(join(dir, 'root')) || mountedUnder(dir).length > 0) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}
