/**
 * The gossip messages as plain values (wire layout: codec.ts, docs/protocol/gossip.md).
 * Every packet is one main message plus piggybacked items (member updates, announcements,
 * state records) filling the rest of the payload budget.
 */
import type { NodeHealth } from './health.ts';

/**
 * 2: member incarnations are u53 (were u32, and wrapped: issue 16).
 * 3: a state record carries its node's signature (issue 16 item 4).
 * 4: an ACK carries the sender's wall clock (clock-offsets.ts); a state record its connectivity (issue 19).
 * 5: a state record carries the node's tags (issue 18).
 * 6: a state record carries the versions that failed and were rolled back per URI (issue 18).
 */
export const WIRE_VERSION = 6;
/** Largest OverlayLink payload we send or accept. */
export const MAX_PACKET = 1100;
/**
 * Bytes of blob data in one CHUNK. A full CHUNK packet is 46 + CHUNK_SIZE bytes, and it
 * must fit the smallest link gossip runs on: a certificate session (13-byte DATA header,
 * 16-byte tag) inside natm's open envelope (1067-byte payload), i.e. 1038 bytes.
 */
export const CHUNK_SIZE = 960;
/** A notification (torrent-file++) is at most 2 MiB. */
export const MAX_BLOB = 2 * 1024 * 1024;
/** Entries in a push-pull digest, and URIs/applied versions in a state record. */
export const MAX_DIGEST = 16;
/** infoHashes listed in a state record's `have`. */
export const MAX_HAVE = 8;

export type MemberStatus = 'alive' | 'suspect' | 'dead';

/** SWIM member update: "node `id` is `status` at `incarnation`". */
export interface MemberItem {
  kind: 'member';
  status: MemberStatus;
  id: string;
  incarnation: number;
}

/** "I hold notification `id` (sha-256 hex) for uri@version, `size` bytes; fetch it from me." */
export interface AnnounceItem {
  kind: 'announce';
  id: string;
  uri: string;
  version: number;
  size: number;
}

/** Fleet view record a node publishes about itself (docs/protocol/gossip.md §Fleet view). */
export interface StateRecord {
  node: string;
  seq: number;
  agentVersion: string;
  applied: Record<string, number>;
  current: { uri: string; version: number; state: string; progress: number } | null;
  /** The node's BitTorrent peer port (0 = unknown) and the infoHashes it holds or fetches. */
  btPort: number;
  have: string[];
  /** Its connectivity conditions and clock offset, as it reports them (health.ts); absent = none. */
  health?: NodeHealth;
  /** The node's tags as `k=v,k=v`, keys sorted ('' = none; agent/lib/rollout/tags.ts). */
  tags: string;
  /** Per URI, the highest version that failed here (deploy gave up, or its health check failed); absent = none. */
  failed?: Record<string, number>;
  /** Per URI, the highest version rolled back here to the one before it; absent = none. */
  rolledBack?: Record<string, number>;
}

/**
 * A state record's signature by the node it describes: its Ed25519 public key (the node id
 * is derived from it, so the key names the node) and the signature over the record's
 * encoding (docs/protocol/gossip.md §Fleet view). 32 + 64 bytes on the wire.
 */
export interface RecordSig {
  key: Uint8Array;
  sig: Uint8Array;
}

export interface StateItem {
  kind: 'state';
  record: StateRecord;
  /** null: unsigned (cluster-key mode: nothing stronger than the cluster key holds). */
  sig: RecordSig | null;
}

/** A CA-signed revocation notice (`p2pu-revoke-v1`, agent/lib/membership/revocation.ts), opaque here. */
export interface RevokeItem {
  kind: 'revoke';
  notice: Uint8Array;
}

/** Largest revocation notice carried (they are about 180 bytes). */
export const MAX_NOTICE = 512;

export type Item = MemberItem | AnnounceItem | StateItem | RevokeItem;

export interface DigestEntry {
  uri: string;
  version: number;
  id: string;
  size: number;
}

export type Body =
  | { type: 'ping'; seq: number; target: string; sketch?: Sketch }
  /** `time`: the wall clock (ms) of the node the ping was for, when it answered. */
  | { type: 'ack'; seq: number; time: number; sketch?: Sketch }
  | { type: 'ping-req'; seq: number; target: string }
  | { type: 'gossip' }
  | { type: 'fetch'; id: string; offset: number }
  | { type: 'chunk'; id: string; offset: number; total: number; missing: boolean; data: Uint8Array }
  | { type: 'push-pull'; reply: boolean; digest: DigestEntry[] };

/** Registers of the fleet-size sketch carried on pings and acks (fleet-size.ts). */
export const SKETCH_REGS = 32;
/** Fleet-size sketch: epoch u32, SKETCH_REGS one-byte registers. */
export interface Sketch {
  epoch: number;
  regs: Uint8Array;
}

export interface Packet {
  body: Body;
  items: Item[];
}
