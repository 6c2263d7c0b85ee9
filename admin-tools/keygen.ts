/** `p2p-update keygen --out PREFIX`: a new Ed25519 admin key pair. */
import { writeKeyPair } from '../agent/lib/crypto/key-files.ts';

export async function keygen(o: { out: string }): Promise<number> {
  const r = await writeKeyPair(o.out);
  console.log(`wrote ${r.keyPath} (private, mode 0600) and ${r.pubPath}; key id ${r.keyId}`);
  return 0;
}
