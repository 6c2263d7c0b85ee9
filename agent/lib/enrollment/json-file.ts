/** JSON state files: durable atomic writes, and reads with coded errors. */
import { readFile } from 'node:fs/promises';
import { writeFileDurable } from '../common/durable-file.ts';
import { EnrollError } from './errors.ts';

/** CA and node state files: written durably and atomically (agent/lib/common/durable-file.ts). */
export const writeFileAtomic = writeFileDurable;

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
