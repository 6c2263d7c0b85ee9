/**
 * Signs this node's fleet-view state records with its certificate key and checks the
 * others' (issue 16 item 4; gossip's RecordAuth seam, agent/lib/gossip/record-auth.ts).
 *   signature = Ed25519(node key, "p2pu-state-v1\0" ‖ cluster ‖ "\0" ‖ record encoding)
 * The record carries the signer's 32-byte public key. It is the node's own key exactly
 * when the node id derives from it (node-id.ts): a certificate binds the same pair
 * (verifyCertificate refuses NODE_ID_MISMATCH), so a receiver that never handshook with
 * the node needs neither its certificate nor a fetch. When a session with the node is up,
 * the key must also be the one its certificate names. Records of revoked nodes are refused.
 * The context binds the kind and the cluster, so no other signature made with a node key
 * (certificate requests) and no record of another cluster verifies as one.
 * Synchronous: `membershipReady()` must have been awaited (na.ts).
 */
import { ConfigError } from '../common/errors.ts';
import type { NodeCert } from './certificate.ts';
import { na } from './na.ts';
import { nodeIdOf } from './node-id.ts';

export interface RecordSig {
  readonly key: Uint8Array;
  readonly sig: Uint8Array;
}

export interface RecordSignerComponents {
  /** The certificate `nodeId` presented in a session that is up now, if any. */
  certOf(nodeId: string): NodeCert | undefined;
  isRevoked(nodeId: string): boolean;
}

export interface RecordSignerInit {
  readonly cluster: string;
  /** libsodium's 64-byte Ed25519 secret key of this node (seed ‖ public key). */
  readonly signKey: Uint8Array;
}

export class RecordSigner {
  readonly #c: RecordSignerComponents;
  readonly #secret: Uint8Array;
  readonly #context: Buffer;

  constructor(c: RecordSignerComponents, init: RecordSignerInit) {
    if (init.signKey.length !== 64)
      throw new ConfigError(`node signing key: expected 64 bytes (libsodium), got ${init.signKey.length}`);
    this.#c = c;
    this.#secret = init.signKey;
    this.#context = Buffer.from(`p2pu-state-v1\0${init.cluster}\0`, 'utf8');
  }

  /** This node's public key (the second half of libsodium's secret key). */
  get publicKey(): Uint8Array {
    return this.#secret.subarray(32);
  }

  sign(body: Uint8Array): RecordSig {
    const sig = na().crypto_sign_detached(Buffer.concat([this.#context, body]), this.#secret);
    return { key: new Uint8Array(this.publicKey), sig };
  }

  verify(nodeId: string, body: Uint8Array, s: RecordSig): boolean {
    if (s.key.length !== 32 || s.sig.length !== 64) return false;
    if (nodeIdOf(s.key) !== nodeId || this.#c.isRevoked(nodeId)) return false;
    const cert = this.#c.certOf(nodeId);
    if (cert && !Buffer.from(cert.signKey).equals(Buffer.from(s.key))) return false;
    try {
      return na().crypto_sign_verify_detached(s.sig, Buffer.concat([this.#context, body]), s.key);
    } catch {
      return false;
    }
  }
}
