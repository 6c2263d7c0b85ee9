/**
 * The root of trust as data (docs/protocol/root.md): which keys may sign updates and
 * roots, how many of them must agree, and how far a version may jump. After TUF's root
 * role: a root names the keys of two roles, each with a threshold, and is replaced only
 * by a successor signed by a threshold of its own root keys and of the successor's.
 */
import type { PublicKey } from '../crypto/keys.ts';

/** Key ids (from the root's `keys`) and how many distinct ones must sign. */
export interface Role {
  readonly keyIds: readonly string[];
  readonly threshold: number;
}

/**
 * A version ceiling for the URIs starting with `prefix` (the longest prefix wins). Each
 * bound present caps a new version; absent bounds do not apply.
 */
export interface VersionRule {
  readonly prefix: string;
  /** At most this much above the highest version this node accepted for the URI. */
  readonly maxJump?: number;
  /** Never above this (also for a URI the node has never accepted). */
  readonly maxVersion?: number;
  /** Versions are Unix seconds: never more than this many seconds ahead of the node's clock. */
  readonly maxAheadS?: number;
}

export interface RootBody {
  /** 1, 2, ... strictly increasing; 0 only for the implicit root of plain trusted keys. */
  readonly version: number;
  /** Unix seconds; null only for the implicit root of plain trusted keys. */
  readonly expires: number | null;
  /** Every key the root names, by key id. */
  readonly keys: ReadonlyMap<string, PublicKey>;
  /** Signs the next root. */
  readonly root: Role;
  /** Signs torrent-files++. */
  readonly update: Role;
  readonly versions: readonly VersionRule[];
}

/** A root document as parsed: its body, the exact signed bytes and the signatures. */
export interface SignedRoot {
  readonly body: RootBody;
  /** bencode(signed), exactly as in the document: what every signature covers. */
  readonly bodyBytes: Uint8Array;
  /** Key id → 64-byte Ed25519 signature. */
  readonly signatures: ReadonlyMap<string, Uint8Array>;
  readonly raw: Uint8Array;
}

/** What a verifier trusts: a parsed root, or the implicit root of plain trusted keys. */
export type TrustedRoot = Pick<SignedRoot, 'body'> & Partial<Pick<SignedRoot, 'bodyBytes' | 'raw'>>;
