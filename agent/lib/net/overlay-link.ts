/**
 * The seam between NAT traversal (this folder) and the layers above it (gossip,
 * membership, anti-entropy in agent/lib/gossip/). Upper layers see peers and opaque
 * datagrams; they never see sockets, NAT types, rendezvous servers or keys.
 *
 * Contract (memberlist `Transport` style):
 * - `send` is called by gossip at any rate; it never blocks and never throws. It picks
 *   the best known path (direct/punched > bridged > relayed) and returns false when the
 *   peer is unknown, has no path, or the payload is over MAX_APP_PAYLOAD bytes.
 *   Delivery is best effort (UDP): no ordering, no retransmission, duplicates possible.
 * - `onMessage` handlers run synchronously on the receive path: they must not block and
 *   should not throw (a throw is caught, counted as `app_handler_error` and dropped).
 *   The payload is already authenticated and decrypted; `peerId` is the sender's node id
 *   as proven by the cluster key (not the UDP source address).
 * - `peers()` is a snapshot of every peer natm knows (from rendezvous tables, bridges and
 *   direct traffic), bounded by natm's `maxPeers`.
 * - `onPeerChange` fires when a peer appears, its path type changes (e.g. relayed →
 *   punched, or to null when it becomes unreachable) or its endpoints change.
 */
export type PathType = 'direct' | 'punched' | 'bridged' | 'relayed';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface PeerView {
  /** Peer id: 1–32 chars of [a-z0-9._-], unique in the cluster (see isPeerId). */
  readonly id: string;
  /** Best current path, or null when no path works (yet). */
  readonly path: PathType | null;
  /** Public endpoint as seen by a rendezvous server (STUN-learned). */
  readonly external?: Endpoint;
  /** LAN endpoint the node reported for itself (its first). */
  readonly internal?: Endpoint;
  /**
   * Every LAN endpoint it reported (≤ 4, e.g. an IPv4 and an IPv6 one of a dual-stack
   * host), `internal` first. Absent: `internal` alone.
   */
  readonly internals?: readonly Endpoint[];
  /** Clock ms of the last authenticated packet from this peer (0 = never). */
  readonly lastSeen: number;
}

/** Largest app payload `send` accepts, in bytes (fits one 1200-byte datagram with headers). */
export const MAX_APP_PAYLOAD = 1100;

export interface OverlayLink {
  readonly selfId: string;
  /** Largest payload `send` accepts when below MAX_APP_PAYLOAD (e.g. certificate sessions). */
  readonly maxPayload?: number;
  /** Send an opaque app payload (≤ MAX_APP_PAYLOAD bytes) over the best path; false if no path. Never throws. */
  send(peerId: string, payload: Uint8Array): boolean;
  onMessage(handler: (peerId: string, payload: Uint8Array) => void): void;
  peers(): readonly PeerView[];
  onPeerChange(handler: (peer: PeerView) => void): void;
  /**
   * Optional (natm has it): from now on, refuse everything from and to the ids the
   * predicate names (revoked nodes): no packets taken, answered, punched or forwarded.
   */
  setBanned?(isBanned: (peerId: string) => boolean): void;
  /** Optional: drop what the transport holds for a peer that was just banned. */
  forget?(peerId: string): void;
  /**
   * Optional: who is proven by a credential (a certificate session). The transport admits
   * them first wherever it keeps state for unauthenticated senders (natm's peer book).
   */
  setProven?(isProven: (peerId: string) => boolean): void;
}

/**
 * A peer id in the overlay (natm, the rendezvous, gossip): the `id` a node is configured
 * with, 1–32 chars of [a-z0-9._-]. Short so that a forwarded 1100-byte payload still fits
 * one 1280-byte datagram. Looser than membership's `isNodeId` (32 hex digits derived from
 * the node's key, agent/lib/membership/node-id.ts): every certificate node id is a peer
 * id, not the other way round, because cluster-key mode names nodes freely.
 */
export function isPeerId(s: unknown): s is string {
  return typeof s === 'string' && /^[a-z0-9._-]{1,32}$/.test(s);
}
