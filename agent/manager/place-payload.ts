/**
 * Putting a locally held payload (the first node: inbox or publish) where Transmission
 * will find it, so the daemon verifies it on add and seeds instead of downloading.
 * Copied to a temporary name and renamed: the daemon never sees half a file.
 * With `backdateMs`, the copy's mtime is set that far back: Transmission 4.x takes a new
 * torrent whose files are older than the add (in whole seconds) as complete after
 * checking one piece, instead of hashing all of it (levers memo §3, lever H); a copy made
 * in the second of the add would be hashed in full. 3.00 always hashes.
 * A directory payload (expected.files) is copied file by file, the manifest's files only,
 * into a temporary directory renamed into place (an older copy that does not match is
 * removed first).
 */
import { copyFile, mkdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import type { ManifestEntry } from '../lib/metainfo/manifest.ts';
import { checkPayload } from '../lib/metainfo/payload.ts';

/** Returns false when an identical file is already in place. `from`: a file, or the bytes (an inline payload). */
export async function placePayload(
  from: string | Uint8Array,
  to: string,
  expected: { length: number; sha256: Uint8Array; files?: readonly ManifestEntry[] | undefined },
  opts: { backdateMs?: number; now?: number } = {},
): Promise<boolean> {
  const there = await stat(to).catch(() => null);
  if (there !== null) {
    const same = await checkPayload(to, expected).then(
      () => true,
      () => false,
    );
    if (same) return false;
  }
  await mkdir(dirname(to), { recursive: true }); // the torrent's own directory
  const tmp = join(dirname(to), `.${basename(to)}.p2pu-tmp`);
  const back =
    opts.backdateMs !== undefined && opts.backdateMs > 0
      ? new Date((opts.now ?? Date.now()) - opts.backdateMs)
      : undefined;
  if (expected.files !== undefined && typeof from === 'string') {
    await copyTree(from, tmp, expected.files, back);
    if (there !== null) await rm(to, { recursive: true, force: true });
  } else {
    if (typeof from === 'string') await copyFile(from, tmp);
    else await writeFile(tmp, from);
    if (back) await utimes(tmp, back, back);
  }
  await rename(tmp, to);
  return true;
}

/** Copies the manifest's files of `from` into `tmp` (emptied first). */
export async function copyTree(
  from: string,
  tmp: string,
  files: readonly ManifestEntry[],
  back?: Date,
): Promise<void> {
  await rm(tmp, { recursive: true, force: true });
  for (const f of files) {
    const dest = join(tmp, f.path);
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(join(from, f.path), dest);
    if (back) await utimes(dest, back, back);
  }
}
