/**
 * Reading a local file that someone else put there (inbox, password file) with a bound:
 * at most `max + 1` bytes are read, so a caller sees "too large" without holding the
 * whole file. Only regular files: a FIFO or device would block a libuv thread forever,
 * so the file is opened non-blocking and checked with fstat before any read.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
}

/** Up to `max + 1` bytes of the regular file at `path` (more than `max` = too large). */
export async function readCapped(path: string, max: number): Promise<Buffer> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    if (!(await fh.stat()).isFile()) throw new NotRegularFileError(`${path} is not a regular file`);
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}
