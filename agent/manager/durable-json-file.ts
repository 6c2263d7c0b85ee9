/**
 * A lowdb adapter that writes atomically and durably (agent/lib/common/durable-file.ts):
 * a crash (kill -9, power loss) leaves either the old or the new file, never half of one.
 * Reading never "repairs": a missing file is null, anything else unreadable throws.
 */
import { readFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { writeFileDurable } from '../lib/common/durable-file.ts';

export { writeFileDurable };

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
