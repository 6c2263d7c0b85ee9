/**
 * Payload check of a directory (spec §Check order, step 9; §Directory payloads): the tree
 * on disk must hold exactly the manifest's files (no link, no special file, nothing extra,
 * nothing missing), each of the signed length and SHA-256. A file is opened without
 * following a link and hashed as a stream. Every failure is PAYLOAD_MISMATCH naming its
 * DirCode (`PAYLOAD_MISMATCH: EXTRA_FILE: …`).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { MetadataError } from '../common/errors.ts';
import { DirError } from './dir-errors.ts';
import { walkDir } from './dir-walk.ts';
import type { ManifestEntry } from './manifest.ts';

const NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;

async function sha256Of(path: string): Promise<{ sha256: Buffer; length: number }> {
  const hash = createHash('sha256');
  let length = 0;
  const fh = await open(path, NOFOLLOW);
  for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20 })) {
    length += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { sha256: hash.digest(), length };
}

async function compare(dir: string, files: readonly ManifestEntry[]): Promise<void> {
  const disk = await walkDir(dir);
  const want = new Map(files.map((f) => [f.path, f]));
  const extra = disk.find((f) => !want.has(f.path));
  if (extra) throw new DirError('EXTRA_FILE', `"${extra.path}" is not in the signed manifest`);
  const have = new Set(disk.map((f) => f.path));
  const missing = files.find((f) => !have.has(f.path));
  if (missing) throw new DirError('MISSING_FILE', `"${missing.path}" of the signed manifest is not there`);
  for (const f of disk) {
    const w = want.get(f.path)!;
    if (f.length !== w.length)
      throw new DirError(
        'FILE_MISMATCH',
        `"${f.path}" is ${f.length} bytes, the signed length is ${w.length}`,
      );
    const got = await sha256Of(f.abs);
    if (got.length !== w.length || !got.sha256.equals(w.sha256))
      throw new DirError(
        'FILE_MISMATCH',
        `"${f.path}" has SHA-256 ${got.sha256.toString('hex')}, signed ${Buffer.from(w.sha256).toString('hex')}`,
      );
  }
}

export async function checkDirPayload(dir: string, files: readonly ManifestEntry[]): Promise<void> {
  try {
    await compare(dir, files);
  } catch (e) {
    if (e instanceof DirError)
      throw new MetadataError('PAYLOAD_MISMATCH', `${e.code}: ${e.message}`, { cause: e });
    const err = e as NodeJS.ErrnoException;
    const code = err.code === 'ELOOP' ? 'LINK' : 'MISSING_FILE';
    throw new MetadataError(
      'PAYLOAD_MISMATCH',
      `${code}: payload ${dir} cannot be read (${err.code ?? err.message})`,
      {
        cause: e,
      },
    );
  }
}
