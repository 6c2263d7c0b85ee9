/**
 * An enrolled node state dir without a server: keys made in `dir` (as `p2p-update enroll`
 * does), the request signed by the CA at once, node.cert and ca.pub written where natm
 * reads them (agent/lib/enrollment/node-keys.ts statePaths).
 */
import { writeFile } from 'node:fs/promises';
import { encodePublicKeyPem } from '../../agent/lib/crypto/keys.ts';
import type { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { ensureNodeKeys, statePaths, type NodeKeys } from '../../agent/lib/enrollment/node-keys.ts';
import { makeRequest } from '../../agent/lib/membership/request.ts';

export async function enrolledDir(
  ca: CaStore,
  dir: string,
  o: { cluster: string; owner: string },
): Promise<NodeKeys> {
  const keys = await ensureNodeKeys(dir);
  const csr = await makeRequest(
    { ...o, signKey: keys.sign.publicKey.bytes, kxKey: keys.kx.publicKey, createdAt: 1 },
    keys.sign.sodiumKey,
  );
  const rec = await ca.submit(csr, { token: 't', sign: true });
  await writeFile(statePaths(dir).cert, Buffer.from(rec.cert!, 'base64'));
  await writeFile(statePaths(dir).caPub, encodePublicKeyPem(ca.authority.publicKey));
  return keys;
}
