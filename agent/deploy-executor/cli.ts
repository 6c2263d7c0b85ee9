/**
 * `p2p-update deploy-executor [--config FILE]`: the root-side deploy executor
 * (docs/deploy-executor.md). Runs until SIGTERM/SIGINT; socket-activated, it also exits
 * after `limits.idleExitMs` without a connection or deploy (systemd starts it again on the
 * next connection). Exit 0 after a clean stop, 1 on a start-up error.
 */
import { untilSignal } from '../lib/daemon/signals.ts';
import { loadConfig } from './config.ts';
import { activationFd } from './listen.ts';
import { startExecutor, type RunningExecutor } from './main.ts';

/** Resolves once idle for `idleMs`; `cancel()` stops watching (so SIGTERM exits at once). */
function untilIdle(x: RunningExecutor, idleMs: number): { done: Promise<void>; cancel: () => void } {
  let t: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    t = setInterval(
      () => {
        const quiet = x.server.connections === 0 && x.handler.pending === 0;
        if (quiet && Date.now() - x.server.lastActivity >= idleMs) {
          clearInterval(t);
          resolve();
        }
      },
      Math.min(idleMs, 5000),
    );
  });
  return { done, cancel: () => clearInterval(t) };
}

export async function runDeployExecutor(o: { config: string }): Promise<number> {
  const config = await loadConfig(o.config);
  const fd = activationFd(process.env, process.pid);
  delete process.env['LISTEN_FDS'];
  delete process.env['LISTEN_PID'];
  delete process.env['LISTEN_FDNAMES'];
  const x = await startExecutor(config, { fd });
  const idleMs = config.limits.idleExitMs;
  const idle = fd !== null && idleMs > 0 ? untilIdle(x, idleMs) : null;
  await Promise.race([untilSignal(), ...(idle ? [idle.done] : [])]);
  idle?.cancel();
  await x.stop();
  return 0;
}
