/**
 * Putting a locally held payload (the first node: inbox or publish) where Transmission
 * will find it, so the daemon verifies it on add and seeds instead of downloading.
 * Copied to a temporary name and renamed: the daemon never sees half a file.
 */
import { copyFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { checkPayload } from '../lib/metainfo/payload.ts';

/** Returns false when an identical file is already in place. `from`: a file, or the bytes (an inline payload). */
export async function placePayload(
  from: string | Uint8Array,
  to: string,
  expected: { length: number; sha256: Uint8Array },
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
  if (typeof from === 'string') await copyFile(from, tmp);
  else await writeFile(tmp, from);
  await rename(tmp, to);
  return true;
}
