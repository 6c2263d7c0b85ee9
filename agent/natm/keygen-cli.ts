/** `p2p-update natm-keygen`: print a new 32-byte cluster key, base64, for `clusterKeys`. */
import { randomBytes } from 'node:crypto';
import { parse } from '../lib/cli/args.ts';

export async function run(argv: string[]): Promise<number> {
  parse(argv, {}, 'p2p-update natm-keygen');
  process.stdout.write(`${randomBytes(32).toString('base64')}\n`);
  return 0;
}
