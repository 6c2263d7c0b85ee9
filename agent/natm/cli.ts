/** `p2p-update natm --config FILE`: run the NAT traversal process until SIGINT/SIGTERM; SIGHUP reloads keys. */
import { onReload, untilSignal } from '../lib/daemon/signals.ts';
import { loadNatmConfig } from './config.ts';
import { startNatm } from './main.ts';

export async function runNatm(o: { config: string }): Promise<number> {
  const proc = await startNatm(await loadNatmConfig(o.config));
  // SIGHUP re-reads the config and applies its clusterKeys (key rotation, Serf style).
  const off = onReload(async () => proc.reloadKeys((await loadNatmConfig(o.config)).clusterKeys));
  await untilSignal();
  off();
  await proc.stop();
  return 0;
}
