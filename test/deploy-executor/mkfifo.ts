/** A FIFO for tests (Node has no mkfifo): `mkfifo PATH`. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export async function mkfifo(path: string): Promise<void> {
  await promisify(execFile)('mkfifo', [path]);
}
