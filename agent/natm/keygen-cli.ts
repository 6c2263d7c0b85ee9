/** `p2p-update natm-keygen`: print a new 32-byte cluster key, base64, for `clusterKeys`. */
import { randomBytes } from 'node:crypto';

export async function natmKeygen(): Promise<number> {
  process.stdout.write(`${randomBytes(32).toString('base64')}\n`);
  return 0;
}
