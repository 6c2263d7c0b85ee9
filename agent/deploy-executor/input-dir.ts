/**
 * Copying a directory payload into the work dir, as root, trusting nothing on the way
 * (docs/deploy-executor.md §Checks; docs/protocol/torrent-file-plus-plus.md §Directory
 * payloads). The directory is opened without following a link and must lie under an input
 * directory; its tree is walked strictly (dir-walk.ts: a link, FIFO, socket or device,
 * an empty file or directory anywhere is refused) and must hold exactly the manifest's
 * files (EXTRA_FILE, MISSING_FILE). Each file is opened without following a link, and the
 * path the kernel opened must be exactly base/relative path: a link swapped into any
 * component after the walk leads elsewhere and is refused. Each copy is hashed while it
 * is made and must have the signed length and SHA-256 (FILE_MISMATCH): the deployer gets
 * the bytes that were checked. Any failure is a DirError.
 */
import { constants } from 'node:fs';
import { chown, mkdir, open, readlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DirError } from '../lib/metainfo/dir-errors.ts';
import { walkDir } from '../lib/metainfo/dir-walk.ts';
import type { ManifestEntry } from '../lib/metainfo/manifest.ts';
import { copyOpen, FLAGS, InputError, isUnder } from './inputs.ts';

async function realOf(fh: FileHandle): Promise<string> {
  return readlink(`/proc/self/fd/${fh.fd}`);
}

/** The directory's real path, checked under `roots`. */
async function baseOf(path: string, roots: readonly string[]): Promise<string> {
  let fh: FileHandle;
  try {
    fh = await open(path, FLAGS | constants.O_DIRECTORY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ELOOP' || code === 'ENOTDIR')
      throw new DirError('LINK', `payload ${path}: not a directory (${code})`);
    throw new InputError(`payload ${path}: cannot open (${code})`);
  }
  try {
    const real = await realOf(fh);
    if (!isUnder(real, roots)) throw new InputError(`payload ${path}: not under an input directory`);
    return real;
  } finally {
    await fh.close();
  }
}

async function openExact(base: string, f: ManifestEntry): Promise<FileHandle> {
  const want = join(base, f.path);
  let fh: FileHandle;
  try {
    fh = await open(want, FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ELOOP') throw new DirError('LINK', `"${f.path}": a symbolic link`);
    throw new DirError('MISSING_FILE', `"${f.path}": cannot open (${code})`);
  }
  try {
    if ((await realOf(fh)) !== want) throw new DirError('LINK', `"${f.path}": reached through a link`);
    if (!(await fh.stat()).isFile()) throw new DirError('SPECIAL_FILE', `"${f.path}": not a regular file`);
    return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function makeDirs(top: string, rel: string, gid: number): Promise<void> {
  let at = top;
  for (const part of rel.split('/').slice(0, -1)) {
    at = join(at, part);
    await mkdir(at, { mode: 0o750 }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    await chown(at, 0, gid);
  }
}

export async function copyDirInput(
  path: string,
  roots: readonly string[],
  to: string,
  files: readonly ManifestEntry[],
  gid: number,
): Promise<void> {
  const base = await baseOf(path, roots);
  const disk = await walkDir(base);
  const want = new Set(files.map((f) => f.path));
  const extra = disk.find((f) => !want.has(f.path));
  if (extra) throw new DirError('EXTRA_FILE', `"${extra.path}" is not in the signed manifest`);
  await mkdir(to, { mode: 0o750 });
  await chown(to, 0, gid);
  for (const f of files) {
    const src = await openExact(base, f);
    const dest = join(to, f.path);
    try {
      await makeDirs(to, f.path, gid);
      const got = await copyOpen(src, dest, f.length, 0o640);
      if (got.length !== f.length || !got.sha256.equals(f.sha256))
        throw new DirError(
          'FILE_MISMATCH',
          got.length !== f.length
            ? `"${f.path}" has ${got.length > f.length ? 'more than ' : ''}${got.length} bytes, the signed length is ${f.length}`
            : `"${f.path}" has SHA-256 ${got.sha256.toString('hex')}, signed ${Buffer.from(f.sha256).toString('hex')}`,
        );
      await chown(dest, 0, gid);
    } finally {
      await src.close();
    }
  }
}
