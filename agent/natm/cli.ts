/** `p2p-update natm --config FILE`: run the NAT traversal process until SIGINT/SIGTERM; SIGHUP reloads keys. */
import { parse, required } from '../lib/cli/args.ts';
import { loadNatmConfig } from './config.ts';
import { startNatm } from './main.ts';
import { onReload, untilSignal } from '../lib/daemon/signals.ts';

const USAGE = 'p2p-update natm --config FILE';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { config: { type: 'string' } }, USAGE);
  const file = required(p, 'config', USAGE);
  const proc = await startNatm(await loadNatmConfig(file));
  // SIGHUP re-reads the config and applies its clusterKeys (key rotation, Serf style).
  const off = onReload(async () => proc.reloadKeys((await loadNatmConfig(file)).clusterKeys));
  await untilSignal();
  off();
  await proc.stop();
  return 0;
}
