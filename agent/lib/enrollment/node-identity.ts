/**
 * Loads what an enrolled node needs to open authenticated links, from its state dir
 * (written by `p2p-update enroll`): its certificate and X25519 key, the pinned CA key,
 * and the revocation list it holds. Checks that the certificate is valid now, names
 * this node's keys and is not revoked by the list held, so a node never starts with a
 * certificate the others would refuse.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parsePublicKeyPem } from '../crypto/keys.ts';
import {
  decodeCertificate,
  verifyCertificate,
  type CertAuthority,
  type NodeCert,
} from '../membership/certificate.ts';
import { membershipReady } from '../membership/na.ts';
import type { LinkIdentity } from '../membership/handshake.ts';
import { ClusterMembership } from '../membership/cluster-membership.ts';
import { openRevocationList } from '../membership/revocation.ts';
import { RevocationState } from '../membership/revocation-state.ts';
import { EnrollError } from './errors.ts';
import { ensureNodeKeys, statePaths } from './node-keys.ts';

export interface NodeIdentity {
  readonly cert: NodeCert;
  readonly identity: LinkIdentity;
  /** The node's Ed25519 key its certificate names (libsodium's 64-byte secret): signs its state records. */
  readonly signKey: Uint8Array;
  readonly membership: ClusterMembership;
  readonly revocation: RevocationState;
}

/** The pinned CA key and the cluster named in this node's certificate. */
export async function readTrust(
  dir: string,
): Promise<{ ca: CertAuthority; cluster: string; raw: Uint8Array }> {
  const p = statePaths(dir);
  for (const f of [p.cert, p.caPub])
    if (!existsSync(f)) throw new EnrollError('NOT_FOUND', `${f} missing: run p2p-update enroll first`);
  const caPub = parsePublicKeyPem(await readFile(p.caPub, 'utf8'), p.caPub);
  const raw = new Uint8Array(await readFile(p.cert));
  await membershipReady();
  return { ca: { keyId: caPub.keyId, publicKey: caPub.bytes }, cluster: decodeCertificate(raw).cluster, raw };
}

export async function loadNodeIdentity(dir: string, now: number): Promise<NodeIdentity> {
  const p = statePaths(dir);
  const { ca, cluster, raw } = await readTrust(dir);
  const keys = await ensureNodeKeys(dir);
  const revocation = new RevocationState();
  if (existsSync(p.crl))
    revocation.acceptList(openRevocationList(new Uint8Array(await readFile(p.crl)), ca, cluster));
  const cert = verifyCertificate(raw, { ca, cluster, now, isRevoked: revocation.isRevoked });
  if (cert.nodeId !== keys.nodeId || !Buffer.from(cert.kxKey).equals(Buffer.from(keys.kx.publicKey)))
    throw new EnrollError('BAD_REQUEST', `${p.cert} is not this node's certificate (keys differ)`);
  return {
    cert,
    identity: { cert: raw, kx: keys.kx },
    signKey: keys.sign.sodiumKey,
    membership: new ClusterMembership({ revocation }, { ca, cluster }),
    revocation,
  };
}
