/** `p2p-update keygen --out PREFIX`: a new Ed25519 admin key pair. */
import { writeKeyPair } from '../agent/lib/crypto/key-files.ts';
import { parse, required } from '../agent/lib/cli/args.ts';

const USAGE = 'p2p-update keygen --out PREFIX';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { out: { type: 'string' } }, USAGE);
  const r = await writeKeyPair(required(p, 'out', USAGE));
  console.log(`wrote ${r.keyPath} (private, mode 0600) and ${r.pubPath}; key id ${r.keyId}`);
  return 0;
}
