/**
 * The seam between NAT-TM part 1 (paths between nodes) and part 2 (this folder: gossip).
 * Mirrors agent/natm/overlay-link.ts on branch `natm`; keep the two identical until that
 * file reaches main, then import it from there.
 *
 * Who calls what: the gossip layer calls `send` from timer callbacks and packet handlers
 * (it must not block); the transport calls the `onMessage`/`onPeerChange` handlers for
 * every authenticated datagram (cluster-key AEAD, docs/protocol/natm.md) and path change.
 */
export type PathType = 'direct' | 'punched' | 'bridged' | 'relayed';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface PeerView {
  /** Node id: 1–32 chars of [a-z0-9._-] in natm (the gossip wire format allows ≤ 255 bytes). */
  readonly id: string;
  /** Best current path, or null when no path works (yet). */
  readonly path: PathType | null;
  readonly external?: Endpoint;
  readonly internal?: Endpoint;
  /** Clock ms of the last authenticated packet from this peer (0 = never). */
  readonly lastSeen: number;
}

export interface OverlayLink {
  readonly selfId: string;
  /** Opaque app payload of at most ~1100 bytes; false if there is no path; never throws. */
  send(peerId: string, payload: Uint8Array): boolean;
  onMessage(handler: (peerId: string, payload: Uint8Array) => void): void;
  /** Peers the transport layer knows (a path to, when `path` is not null). */
  peers(): readonly PeerView[];
  onPeerChange(handler: (peer: PeerView) => void): void;
}
