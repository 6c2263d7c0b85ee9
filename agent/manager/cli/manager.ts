/**
 * `p2p-update manager [--config FILE]`: runs the manager daemon until SIGTERM/SIGINT.
 * Exit 0 after a clean stop, 1 on a start-up error or a fatal store error.
 */
import { packageVersion } from '../../lib/common/version.ts';
import { loadConfig } from '../config.ts';
import { startManager } from '../main.ts';

export async function runManager(o: { config: string }): Promise<number> {
  const config = await loadConfig(o.config);
  let code = 0;
  let wake: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (wake = resolve));
  const m = await startManager(config, {
    agentVersion: packageVersion(),
    onFatal: () => {
      code = 1;
      wake();
    },
  });
  const onSignal = (): void => wake();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // Keep the event loop alive while waiting (the manager's own timers are unref'd).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await done;
  clearInterval(keepAlive);
  await m.stop();
  return code;
}
