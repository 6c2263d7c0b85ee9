/**
 * Reading what the manager points at, as root, without trusting the path: the file is
 * opened first (no following a final symlink, no blocking on a FIFO), then the path the
 * kernel actually opened (/proc/self/fd/N) must lie under one of the configured input
 * directories and be a regular file. The check is on the open file, so a swap of any
 * path component after it changes nothing. The payload is copied into the executor's own
 * work dir and hashed while copying: the deployer runs the bytes that were checked.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readlink, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { P2PError } from '../lib/common/errors.ts';

export class InputError extends P2PError {
  readonly code = 'INPUT_REFUSED';
}

export const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
const CHUNK = 1 << 20;

export function isUnder(path: string, roots: readonly string[]): boolean {
  return roots.some((r) => path.startsWith(r.endsWith('/') ? r : `${r}/`));
}

async function openInput(path: string, roots: readonly string[], what: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, FLAGS);
  } catch (e) {
    throw new InputError(`${what} ${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const real = await readlink(`/proc/self/fd/${fh.fd}`);
    if (!isUnder(real, roots)) throw new InputError(`${what} ${path}: not under an input directory`);
    if (!(await fh.stat()).isFile()) throw new InputError(`${what} ${path}: not a regular file`);
    return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** At most `cap` bytes of the file (a longer file yields cap + 1 bytes: "too large"). */
export async function readInput(
  path: string,
  roots: readonly string[],
  cap: number,
  what = 'torrent',
): Promise<Buffer> {
  const fh = await openInput(path, roots, what);
  try {
    const buf = Buffer.alloc(cap + 1);
    let n = 0;
    for (let r = -1; r !== 0 && n < buf.length; n += r)
      r = (await fh.read(buf, n, buf.length - n, n)).bytesRead;
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/**
 * Copies at most `limit + 1` bytes of `path` to `to` (mode `mode`, via a temporary name)
 * and returns their length and SHA-256.
 */
export async function copyInput(
  path: string,
  roots: readonly string[],
  to: string,
  limit: number,
  mode: number,
): Promise<{ length: number; sha256: Buffer }> {
  const src = await openInput(path, roots, 'payload');
  try {
    return await copyOpen(src, to, limit, mode);
  } finally {
    await src.close();
  }
}

/** Copies at most `limit + 1` bytes of the open `src` to `to` (via a temporary name): their length and SHA-256. */
export async function copyOpen(
  src: FileHandle,
  to: string,
  limit: number,
  mode: number,
): Promise<{ length: number; sha256: Buffer }> {
  const tmp = join(dirname(to), `.${basename(to)}.tmp`);
  const hash = createHash('sha256');
  let length = 0;
  try {
    const out = await open(tmp, 'w', mode);
    try {
      await out.chmod(mode);
      const buf = Buffer.alloc(CHUNK);
      while (length <= limit) {
        const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, limit + 1 - length), length);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
        await out.write(buf, 0, bytesRead);
        length += bytesRead;
      }
    } finally {
      await out.close();
    }
    await rename(tmp, to);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { length, sha256: hash.digest() };
}
