/**
 * Where the inbox puts a torrent file it refused: `inbox/refused/`, beside a `.reason`
 * file saying why, the newest KEEP kept. A refused torrent never consumes a payload:
 * its name may be any other update's (a stale or forged torrent naming it).
 */
import { mkdir, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LIMITS } from '../lib/metainfo/limits.ts';

export const REFUSED_DIR = 'refused';
export const REFUSED_KEEP = 20;

/** Moves `path` into `<inbox>/refused/` with the reason (an oversized file is deleted). */
export async function keepRefused(inboxDir: string, path: string, reason: string): Promise<void> {
  const dir = join(inboxDir, REFUSED_DIR);
  await mkdir(dir, { recursive: true });
  const to = join(dir, basename(path));
  const size = (await stat(path)).size;
  if (size > LIMITS.maxMetadataBytes) await unlink(path);
  else await rename(path, to);
  await writeFile(`${to}.reason`, `${reason}\n`);
  await prune(dir);
}

/** Keeps the REFUSED_KEEP newest refusals (by the time of their .reason file). */
async function prune(dir: string): Promise<void> {
  const reasons = (await readdir(dir)).filter((n) => n.endsWith('.reason'));
  if (reasons.length <= REFUSED_KEEP) return;
  const dated = await Promise.all(
    reasons.map(async (n) => ({ n, t: (await stat(join(dir, n)).catch(() => null))?.mtimeMs ?? 0 })),
  );
  dated.sort((a, b) => b.t - a.t || a.n.localeCompare(b.n));
  for (const { n } of dated.slice(REFUSED_KEEP)) {
    await rm(join(dir, n), { force: true });
    await rm(join(dir, n.slice(0, -'.reason'.length)), { force: true });
  }
}
