/**
 * Typed errors with stable codes (STYLE.md rule 7). Every error that can reach a user
 * carries a `code` from a closed set and a one-line message saying what was expected
 * and what was found. The CLI prints `error CODE: message`.
 */
export abstract class P2PError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Codes for a torrent-file++ that is refused (docs/protocol/torrent-file-plus-plus.md §Check order). */
export type MetadataCode =
  | 'MALFORMED'
  | 'TOO_LARGE'
  | 'UNKNOWN_SIGNER'
  | 'BAD_SIGNATURE'
  | 'EXPIRED'
  | 'PAYLOAD_MISMATCH'
  | 'ROLLBACK'
  | 'URI_NOT_ACCEPTED'
  /** Fewer distinct valid signatures than the root's threshold (update or root role). */
  | 'THRESHOLD'
  /** A version above the ceiling the root sets for its URI (docs/adr/0003-root-of-trust.md). */
  | 'FAST_FORWARD'
  /** The newest trusted root has expired: no update is taken until a newer root arrives. */
  | 'ROOT_EXPIRED'
  /** A root older than (or conflicting with) the trusted one. */
  | 'ROOT_ROLLBACK'
  /** A root chain that skips a version between the trusted root and its head. */
  | 'ROOT_GAP';

/** What a refused torrent-file++ is about, once its signature was found valid. */
export interface SignedFacts {
  readonly uri: string;
  readonly version: number;
  readonly infoHash: string;
}

export class MetadataError extends P2PError {
  /** Set when the signature verified (e.g. EXPIRED): the refusal names the update. */
  readonly signed?: SignedFacts;
  constructor(
    readonly code: MetadataCode,
    message: string,
    options?: { cause?: unknown; signed?: SignedFacts },
  ) {
    super(message, options);
    if (options?.signed) this.signed = options.signed;
  }
}

/** A mistake in how a command was called: the CLI exits 2. */
export class UsageError extends P2PError {
  readonly code = 'USAGE';
}

/** A key file that is missing, unreadable or of the wrong kind. */
export class KeyError extends P2PError {
  constructor(
    readonly code: 'KEY_FORMAT' | 'KEY_EXISTS' | 'KEY_IO',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A configuration file that does not validate: names the key at fault. */
export class ConfigError extends P2PError {
  readonly code = 'CONFIG';
}

export function isP2PError(e: unknown): e is P2PError {
  return e instanceof P2PError;
}

/** One line for humans: `error CODE: message`. */
export function formatError(e: unknown): string {
  if (isP2PError(e)) return `error ${e.code}: ${e.message}`;
  const msg = e instanceof Error ? e.message : String(e);
  return `error INTERNAL: ${msg}`;
}
