/**
 * `p2p-update rendezvous (--config FILE | --listen HOST:PORT)`: run a rendezvous server.
 * `--listen` alone starts a STUN-only server (no cluster key); with --config it overrides `listen`.
 */
import { parse, optionalString } from '../lib/cli/args.ts';
import { UsageError } from '../lib/common/errors.ts';
import { readJson } from '../lib/config/config-check.ts';
import { onReload, untilSignal } from '../lib/daemon/signals.ts';
import { rendezvousConfig } from './config.ts';
import { startRendezvous } from './main.ts';

const USAGE = 'p2p-update rendezvous (--config FILE | --listen HOST:PORT) [--config FILE --listen HOST:PORT]';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { config: { type: 'string' }, listen: { type: 'string' } }, USAGE);
  const file = optionalString(p, 'config');
  const listen = optionalString(p, 'listen');
  if (!file && !listen) throw new UsageError(`--config or --listen is required; usage: ${USAGE}`);
  const raw = file ? await readJson(file) : { stunOnly: true };
  const cfg = rendezvousConfig(listen ? { ...raw, listen } : raw);
  // Its log line 'rendezvous started' (with the bound address) says it listens: the
  // journal of its unit holds structured lines only.
  const proc = await startRendezvous(cfg);
  const off = onReload(async () => {
    if (file)
      proc.reloadKeys(
        rendezvousConfig({ ...(await readJson(file)), ...(listen ? { listen } : {}) }).clusterKeys,
      );
  });
  await untilSignal();
  off();
  await proc.stop();
  return 0;
}
