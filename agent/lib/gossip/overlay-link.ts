/**
 * The seam between NAT-TM part 1 (agent/natm: paths between nodes) and part 2 (this
 * folder: gossip). Defined by natm (agent/lib/net/overlay-link.ts); re-exported so that the
 * gossip code and its simulator depend on one name.
 *
 * Who calls what: the gossip layer calls `send` from timer callbacks and packet handlers
 * (it must not block); the transport calls the `onMessage`/`onPeerChange` handlers for
 * every authenticated datagram (cluster-key AEAD, docs/protocol/natm.md) and path change.
 */
export type { Endpoint, OverlayLink, PathType, PeerView } from '../net/overlay-link.ts';
export { MAX_APP_PAYLOAD } from '../net/overlay-link.ts';
