/** The torrent-file++ as data: what the parser returns and the verifier checks. */
import type { RolloutPolicy } from '../rollout/policy.ts';
import type { InfoFile } from './files-field.ts';
import type { ManifestEntry } from './manifest.ts';

/** The signed fields of one signer (spec §Signed info). */
export interface SignedInfo {
  readonly uri: string;
  readonly version: number;
  readonly length: number;
  readonly sha256: Uint8Array;
  /** Seconds since the Unix epoch; absent means no expiry. */
  readonly expires?: number;
  /** Staged rollout (spec §Rollout policy); absent means every node installs at once. */
  readonly rollout?: RolloutPolicy;
  /**
   * A directory payload's signed manifest (spec §Directory payloads): then `sha256` is the
   * manifest's SHA-256 and `length` the sum of the files' lengths.
   */
  readonly files?: readonly ManifestEntry[];
  /** Key id of the signer: first 8 bytes of SHA-256 of its Ed25519 public key, hex. */
  readonly kid: string;
}

export interface SignatureEntry {
  readonly signer: string;
  readonly signedInfo: SignedInfo;
  /** bencode(signed info), exactly as it appears in the file. */
  readonly signedInfoBytes: Uint8Array;
  readonly signature: Uint8Array;
}

export interface InfoDict {
  readonly name: string;
  /** The file's length, or the sum of a directory's (then `files` is set). */
  readonly length: number;
  /** A directory payload: its files under the top folder `name`, canonical order. */
  readonly files?: readonly InfoFile[];
  readonly pieceLength: number;
  readonly pieces: Uint8Array;
  readonly private: boolean;
}

export interface TorrentPlusPlus {
  readonly raw: Uint8Array;
  /** bencode(info), exactly as it appears in the file: what the infohash and signature cover. */
  readonly infoBytes: Uint8Array;
  /** SHA-1 of infoBytes, lower-case hex (BEP 3). */
  readonly infoHash: string;
  readonly info: InfoDict;
  readonly announce?: string;
  readonly announceList?: string[][];
  readonly comment?: string;
  readonly createdBy?: string;
  readonly creationDate?: number;
  readonly signatures: readonly SignatureEntry[];
  /**
   * The payload itself, for small ones (spec §Inline payload): outside the info dict and
   * unsigned as bytes, so the verifier checks it against the signed length and SHA-256.
   */
  readonly inline?: Uint8Array;
}

/** What a successful verification yields: the facts the manager acts on (the trusted signers' fields, and the torrent's). */
export interface VerifiedUpdate extends SignedInfo {
  /** Key ids of the trusted signers that agreed (at least the threshold), `kid` first. */
  readonly signers: readonly string[];
  readonly infoHash: string;
  readonly name: string;
  readonly pieceLength: number;
  readonly torrent: TorrentPlusPlus;
}
