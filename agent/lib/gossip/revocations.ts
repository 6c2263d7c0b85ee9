/**
 * Revocation notices in gossip (docs/protocol/gossip.md §Revocation). Gossip carries the
 * CA-signed notices as opaque `revoke` items; checking them is the membership layer's job,
 * behind this seam (agent/lib/membership/revocation-book.ts implements it):
 * - a notice that revokes a node not known as revoked is re-broadcast like a member update
 *   (key `r:<nodeId>`), so it reaches every node in O(log N) gossip rounds;
 * - every push-pull carries up to NOTICE_SAMPLE notices held (anti-entropy), so a node that
 *   was away or joins later learns them too;
 * - a revoked node is marked dead at once and member updates about it are ignored.
 */
import type { RevokeItem } from './messages.ts';

export interface RevocationSink {
  /** A notice heard or injected: the node ids it newly revoked ([] when known), null if refused. */
  accept(notice: Uint8Array): string[] | null;
  isRevoked(nodeId: string): boolean;
  /** Every notice held (bounded by the implementation). */
  notices(): readonly Uint8Array[];
  onRevoked(fn: (nodeId: string) => void): void;
}

/** Notices piggybacked on each push-pull. */
export const NOTICE_SAMPLE = 2;

export function sampleNotices(sink: RevocationSink | undefined, random: () => number): RevokeItem[] {
  const pool = [...(sink?.notices() ?? [])];
  const out: RevokeItem[] = [];
  while (pool.length > 0 && out.length < NOTICE_SAMPLE)
    out.push({ kind: 'revoke', notice: pool.splice(Math.floor(random() * pool.length), 1)[0]! });
  return out;
}
