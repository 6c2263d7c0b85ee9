/**
 * A lowdb adapter that writes atomically and durably: the JSON goes to a temporary
 * file, is fsynced, renamed over the old file, and the directory is fsynced. A crash
 * (kill -9, power loss) leaves either the old or the new file, never half of one.
 * Reading never "repairs": a missing file is null, anything else unreadable throws.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

export async function writeFileDurable(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export class DurableJsonFile<T> implements Adapter<T> {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly parse: (text: string) => T,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    return this.parse(text);
  }

  /** Writes are serialised: the last one called is the last one on disk. */
  write(data: T): Promise<void> {
    const text = `${JSON.stringify(data, null, 1)}\n`;
    const next = this.chain.then(() => writeFileDurable(this.path, text));
    this.chain = next.catch(() => undefined);
    return next;
  }
}
