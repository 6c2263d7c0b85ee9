/**
 * A lock shared by processes (flock(1) on a file): held by a small `flock` child for as
 * long as `fn` runs. The child waits on its stdin, so the lock is released also when this
 * process dies without cleaning up (the pipe closes, the child exits).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const holder = spawn('flock', ['-x', file, 'sh', '-c', 'echo locked; read _'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(holder, 'exit').catch(() => [null]);
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('error', reject);
    void exited.then(([code]) => reject(new Error(`flock ${file} exited ${String(code)}`)));
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await exited;
  }
}
