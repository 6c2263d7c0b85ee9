/** JSON state files written atomically: write a temp file, fsync, rename over the old one. */
import { open, readFile, rename } from 'node:fs/promises';
import { EnrollError } from './errors.ts';

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

export async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new EnrollError(
      code === 'ENOENT' ? 'CA_MISSING' : 'CA_IO',
      `${what} ${path}: cannot read (${code})`,
      {
        cause,
      },
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new EnrollError('CA_IO', `${what} ${path}: not valid JSON`, { cause });
  }
}
