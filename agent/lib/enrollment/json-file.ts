/** JSON state files: durable atomic writes, and reads with coded errors. */
import { readFile } from 'node:fs/promises';
import { writeFileDurable } from '../common/durable-file.ts';
import { EnrollError, type EnrollCode } from './errors.ts';

/** CA and node state files: written durably and atomically (agent/lib/common/durable-file.ts). */
export const writeFileAtomic = writeFileDurable;

/** Whose file it is, which decides the error code: the CA's dir, or a node's enrollment state dir. */
export type JsonOwner = 'ca' | 'node';

const CODES: Record<JsonOwner, { missing: EnrollCode; io: EnrollCode }> = {
  ca: { missing: 'CA_MISSING', io: 'CA_IO' },
  node: { missing: 'NODE_STATE', io: 'NODE_STATE' },
};

export async function readJson<T>(path: string, what: string, owner: JsonOwner): Promise<T> {
  const codes = CODES[owner];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const label = code === 'ENOENT' ? codes.missing : codes.io;
    throw new EnrollError(label, `${what} ${path}: cannot read (${code})`, { cause });
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new EnrollError(codes.io, `${what} ${path}: not valid JSON`, { cause });
  }
}
