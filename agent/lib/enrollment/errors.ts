/** Coded errors of the CA and the enrollment service. */
import { P2PError } from '../common/errors.ts';

export type EnrollCode =
  | 'CA_EXISTS'
  | 'CA_MISSING'
  | 'CA_IO'
  /** A file in a node's enrollment state dir is missing or unreadable. */
  | 'NODE_STATE'
  | 'NOT_FOUND'
  | 'BAD_TOKEN'
  | 'BAD_REQUEST'
  | 'REVOKED'
  | 'REJECTED'
  | 'BAD_CERT'
  | 'EXPIRED'
  | 'KEY_MISMATCH'
  | 'STALE_REQUEST'
  | 'NOTICE_DIR'
  | 'SERVER'
  | 'TIMEOUT'
  | 'THROTTLED'
  /** http:// to a server off this host without --insecure. */
  | 'INSECURE_URL'
  /** The server's CA key is not the one pinned (fingerprint, key id, or the held ca.pub). */
  | 'WRONG_CA';

export class EnrollError extends P2PError {
  constructor(
    readonly code: EnrollCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
