/**
 * Coded errors of staged rollouts (docs/rollouts.md). Each says what was expected and what
 * was found; selector errors name the column. The metainfo parser wraps policy errors in a
 * MetadataError (MALFORMED / TOO_LARGE) so a torrent-file++ is refused with its own codes.
 */
import { P2PError } from '../common/errors.ts';

export type RolloutCode =
  /** A target selector that does not follow the grammar (docs/rollouts.md §Selector). */
  | 'BAD_SELECTOR'
  /** A node tag that is not `key=value` within the charset and lengths. */
  | 'BAD_TAGS'
  /** A rollout policy with a field missing, of the wrong type or out of its range. */
  | 'BAD_POLICY'
  /** A control message that is not the documented bencoded form. */
  | 'BAD_CONTROL'
  /** Past a stated bound (selector length, terms, values, waves, tags, message size). */
  | 'TOO_LARGE'
  /** A control message signed by no trusted admin key (or by fewer than the threshold). */
  | 'UNKNOWN_SIGNER'
  /** A control message whose trusted signature does not verify. */
  | 'BAD_SIGNATURE';

export class RolloutError extends P2PError {
  constructor(
    readonly code: RolloutCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
