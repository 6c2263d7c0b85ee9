/** Test fixtures: a CA, node identities and certificates, all in memory. */
import { randomBytes } from 'node:crypto';
import {
  issueCertificate,
  type CertAuthority,
  type NodeCert,
} from '../../agent/lib/membership/certificate.ts';
import { keyIdOf } from '../../agent/lib/crypto/keys.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { nodeIdOf } from '../../agent/lib/membership/node-id.ts';
import { generateKxPair, type KeyPair } from '../../agent/lib/membership/noise-crypto.ts';
import type { LinkIdentity } from '../../agent/lib/membership/handshake.ts';

export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
export const NOW_S = Math.floor(NOW / 1000);
export const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

export interface TestCa extends CertAuthority {
  readonly secretKey: Uint8Array;
  readonly cluster: string;
}

export async function makeCa(cluster = 'lab'): Promise<TestCa> {
  const na = await membershipReady();
  const kp = na.crypto_sign_keypair();
  return { keyId: keyIdOf(kp.publicKey), publicKey: kp.publicKey, secretKey: kp.privateKey, cluster };
}

export interface TestNode {
  readonly nodeId: string;
  readonly sign: { publicKey: Uint8Array; privateKey: Uint8Array };
  readonly kx: KeyPair;
  readonly cert: Uint8Array;
  readonly identity: LinkIdentity;
}

export async function makeNode(
  ca: TestCa,
  over: Partial<Omit<NodeCert, 'caKeyId'>> = {},
  signer: { keyId: string; secretKey: Uint8Array } = ca,
): Promise<TestNode> {
  const na = await membershipReady();
  const sign = na.crypto_sign_keypair();
  const kx = generateKxPair(random);
  const nodeId = nodeIdOf(sign.publicKey);
  const cert = await issueCertificate(
    {
      cluster: ca.cluster,
      nodeId,
      owner: 'alice',
      signKey: sign.publicKey,
      kxKey: kx.publicKey,
      issuedAt: NOW_S - 60,
      expires: NOW_S + 86400,
      ...over,
    },
    signer,
  );
  return { nodeId, sign, kx, cert, identity: { cert, kx } };
}
