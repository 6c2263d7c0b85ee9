/**
 * Putting a locally held payload (the first node: inbox or publish) where Transmission
 * will find it, so the daemon verifies it on add and seeds instead of downloading.
 * Copied to a temporary name and renamed: the daemon never sees half a file.
 */
import { copyFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { checkPayload } from '../lib/metainfo/payload.ts';

/** Returns false when an identical file is already in place. */
export async function placePayload(
  from: string,
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
  await copyFile(from, tmp);
  await rename(tmp, to);
  return true;
}
