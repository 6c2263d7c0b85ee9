/** Writes a file into the inbox whole: under a dot-name (ignored by the inbox), then renamed. */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';

export async function drop(dir: string, name: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dir, `.${name}.publish-tmp`);
  await write(tmp);
  await rename(tmp, join(dir, name));
}
