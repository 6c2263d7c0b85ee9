/**
 * Coded errors of secure membership (docs/security.md). `MembershipError` says why a
 * certificate, request, revocation list or notice is refused; `LinkError` says why a
 * handshake or transport packet is refused. Packet handlers return these, never throw.
 */
import { P2PError } from '../common/errors.ts';

export type MembershipCode =
  | 'MALFORMED'
  | 'WRONG_CA'
  | 'EXPIRED'
  | 'NODE_ID_MISMATCH'
  | 'REVOKED'
  | 'WRONG_CLUSTER'
  | 'STALE_CRL'
  /** A certificate older than the one held (renewal, agent/lib/membership/secure-links.ts). */
  | 'STALE_CERT';

export class MembershipError extends P2PError {
  constructor(
    readonly code: MembershipCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type LinkCode =
  | 'MALFORMED'
  | 'BAD_COOKIE'
  | 'UNEXPECTED'
  | 'DECRYPT_FAILED'
  | 'KEY_MISMATCH'
  | 'PEER_MISMATCH'
  | 'REPLAY'
  | 'CERT_REFUSED';

export class LinkError extends P2PError {
  constructor(
    readonly code: LinkCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
