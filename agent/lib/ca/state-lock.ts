/** The CA dir's lock (DIR/state.lock) that serialises the web server and the CLI across processes. */
import { open as openFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EnrollError } from '../enrollment/errors.ts';

/** An exclusive lock file; a lock older than 30 s is taken over (its holder died). */
export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'state.lock');
  for (let i = 0; i < 200; i++) {
    try {
      await (await openFile(path, 'wx', 0o600)).close();
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 30_000) await rm(path, { force: true });
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new EnrollError('CA_IO', `${path}: CA state locked by another process for over 10 s`);
}
