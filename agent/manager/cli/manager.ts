/**
 * `p2p-update manager [--config FILE]`: runs the manager daemon until SIGTERM/SIGINT.
 * Exit 0 after a clean stop, 1 on a start-up error or a fatal store error.
 */
import { optionalString, parse } from '../../lib/cli/args.ts';
import { packageVersion } from '../../lib/common/version.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config.ts';
import { startManager } from '../main.ts';

const USAGE = 'p2p-update manager [--config FILE]';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { config: { type: 'string' } }, USAGE);
  const config = await loadConfig(optionalString(p, 'config') ?? DEFAULT_CONFIG_PATH);
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
