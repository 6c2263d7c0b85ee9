/**
 * Node identity: the node id is the hex of the first 16 bytes of SHA-256 of the node's
 * Ed25519 public key, so a certificate binding both cannot serve a second node.
 */
import { createHash } from 'node:crypto';

export const NODE_ID_RE = /^[0-9a-f]{32}$/;

export function nodeIdOf(signPublicKey: Uint8Array): string {
  return createHash('sha256').update(signPublicKey).digest('hex').slice(0, 32);
}

/**
 * A certificate node id: exactly what `nodeIdOf` makes (32 hex digits). Stricter than the
 * overlay's `isPeerId` (agent/lib/net/overlay-link.ts), which every node id satisfies.
 */
export function isNodeId(s: string): boolean {
  return NODE_ID_RE.test(s);
}
