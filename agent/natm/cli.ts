/** `p2p-update natm --config FILE`: run the NAT traversal process until SIGINT/SIGTERM. */
import { parse, required } from '../../admin-tools/cli/args.ts';
import { readJson } from './config-check.ts';
import { natmConfig } from './config.ts';
import { startNatm } from './main.ts';
import { untilSignal } from './signals.ts';

const USAGE = 'p2p-update natm --config FILE';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { config: { type: 'string' } }, USAGE);
  const cfg = natmConfig(await readJson(required(p, 'config', USAGE)));
  const proc = await startNatm(cfg);
  await untilSignal();
  await proc.stop();
  return 0;
}
