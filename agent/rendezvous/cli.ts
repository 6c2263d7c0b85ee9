/**
 * `p2p-update rendezvous (--config FILE | --listen HOST:PORT)`: run a rendezvous server.
 * `--listen` alone starts a STUN-only server (no cluster key); with --config it overrides `listen`.
 */
import { UsageError } from '../lib/common/errors.ts';
import { readConfigJson } from '../lib/config/load.ts';
import { onReload, untilSignal } from '../lib/daemon/signals.ts';
import { rendezvousConfig } from './config.ts';
import { startRendezvous } from './main.ts';

/** `--listen` replaces the file's `listen` (a file that is no object is left for the schema to refuse). */
function withListen(json: unknown, listen: string | undefined): unknown {
  const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
  return listen === undefined || !isObject ? json : { ...json, listen };
}

export async function runRendezvous(o: { config?: string; listen?: string }): Promise<number> {
  const { config: file, listen } = o;
  if (!file && !listen) throw new UsageError('--config or --listen is required');
  const cfg = rendezvousConfig(withListen(file ? await readConfigJson(file) : { stunOnly: true }, listen));
  // Its log line 'rendezvous started' (with the bound address) says it listens: the
  // journal of its unit holds structured lines only.
  const proc = await startRendezvous(cfg);
  const off = onReload(async () => {
    if (file) proc.reloadKeys(rendezvousConfig(withListen(await readConfigJson(file), listen)).clusterKeys);
  });
  await untilSignal();
  off();
  await proc.stop();
  return 0;
}
