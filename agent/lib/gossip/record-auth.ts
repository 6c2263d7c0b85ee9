/**
 * Who may write a node's fleet-view record (issue 16 item 4): with certificates, only that
 * node. Gossip hands the record's encoding (codec-state.ts `stateBytes`) to this seam; the
 * membership layer signs with the node's certificate key and checks others' signatures
 * (agent/lib/membership/record-signer.ts implements it; SecureOverlay holds one).
 * Without it (cluster-key mode) records are unsigned and any cluster-key holder can write
 * one about any node: nothing stronger than the cluster key holds (docs/security.md).
 */
import type { RecordSig } from './messages.ts';

export interface RecordAuth {
  /** This node's signature over its own record's encoding. */
  sign(body: Uint8Array): RecordSig;
  /**
   * Whether `sig` is by `node` over `body`: the key is the one `node`'s id derives from
   * (and its certificate names), the node is not revoked, and the signature verifies.
   * Never throws.
   */
  verify(node: string, body: Uint8Array, sig: RecordSig): boolean;
}
