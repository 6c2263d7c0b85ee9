/**
 * Runs one deploy as a transient systemd unit to its end: start it (systemd-run returns
 * once the process runs), watch its state, stop it at the timeout, read the tail of its
 * output, then stop and forget the unit. The same result as runProcess: the output tail,
 * or a DeployError with its code.
 */
import { open, rm, writeFile } from 'node:fs/promises';
import { DeployError } from '../lib/deploy/errors.ts';
import type { RunResult } from '../lib/deploy/run-process.ts';
import type { Launch } from './launch.ts';
import { failureOf, hasEnded, type UnitState } from './unit-result.ts';
import { startUnit, stopUnit, unitState } from './units.ts';

const POLL_MS = 250;

/** The last `cap` bytes of `path` (with a note of what was dropped) and its size. */
export async function outputTail(path: string, cap: number): Promise<{ text: string; total: number }> {
  const fh = await open(path, 'r').catch(() => null);
  if (fh === null) return { text: '', total: 0 };
  try {
    const total = (await fh.stat()).size;
    const n = Math.min(cap, total);
    const buf = Buffer.alloc(n);
    await fh.read(buf, 0, n, total - n);
    const note = total > n ? `[${total - n} earlier bytes dropped]\n` : '';
    return { text: note + buf.toString('utf8'), total };
  } finally {
    await fh.close();
  }
}

export async function runUnit(
  l: Extract<Launch, { kind: 'unit' }>,
  init: { readonly timeoutMs: number; readonly outputCapBytes: number },
): Promise<RunResult> {
  const t0 = Date.now();
  await writeFile(l.output, '', { mode: 0o600 });
  try {
    try {
      await startUnit(l.start);
    } catch (e) {
      await stopUnit(l.unit);
      throw new DeployError('DEPLOY_SPAWN', `${l.cmd.file} could not start: ${(e as Error).message}`, '');
    }
    const state = (): Promise<UnitState> =>
      unitState(l.unit).catch(async (e: unknown) => {
        await stopUnit(l.unit);
        throw new DeployError('DEPLOY_SPAWN', `lost track of ${l.unit}: ${(e as Error).message}`, '');
      });
    let s = await state();
    let timedOut = false;
    while (!hasEnded(s)) {
      if (Date.now() - t0 > init.timeoutMs) {
        timedOut = true;
        await stopUnit(l.unit);
        break;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
      s = await state();
    }
    const out = await outputTail(l.output, init.outputCapBytes);
    await stopUnit(l.unit);
    if (timedOut)
      throw new DeployError('DEPLOY_TIMEOUT', `${l.cmd.file} killed after ${init.timeoutMs} ms`, out.text);
    const failure = failureOf(s, l.cmd, out.text);
    if (failure) throw failure;
    return { output: out.text, outputBytes: out.total, durationMs: Date.now() - t0 };
  } finally {
    await rm(l.output, { force: true });
  }
}
