/**
 * The manager ↔ deploy executor contract (docs/protocol/executor.md), declared once and
 * imported by both sides. One Unix stream connection carries one request line and one
 * response line (NDJSON); the executor then closes it. Requests are small (paths, not
 * bytes): the executor reads the files itself.
 */
import type { MetadataCode } from '../common/errors.ts';
import type { DeployCode } from '../deploy/errors.ts';

/** A request line longer than this is refused TOO_LARGE_REQUEST, never buffered. */
export const MAX_REQUEST_BYTES = 16 * 1024;
/** A response carries a capped output tail; the client reads at most this much. */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
export const MAX_PATH_BYTES = 4096;

export type ExecutorRequest =
  /** Does a deployer accept `uri`? (The executor's config is the one list of accepted URIs.) */
  | { readonly type: 'accepts'; readonly uri: string }
  /** Deploy the update whose torrent-file++ and payload the manager holds at these paths. */
  | {
      readonly type: 'deploy';
      readonly uri: string;
      readonly version: number;
      readonly infoHash: string;
      readonly torrent: string;
      readonly payload: string;
      /**
       * The manager's persisted root chain, if it has one: the executor walks it from the
       * root it trusts itself (a chain that does not verify grants nothing) before it
       * verifies the torrent, so it learns rotations without a config change.
       */
      readonly root?: string;
    }
  /**
   * Roll `uri` back from version@infoHash, the update this executor deployed last, to the one
   * applied before it (issue 18: a failed health check, or the admin's `abort --rollback`).
   * The executor re-verifies its own kept copy of the previous torrent-file++ and payload and
   * re-deploys it with P2PU_ROLLBACK=1; anything else is refused (rollback.ts).
   */
  | { readonly type: 'rollback'; readonly uri: string; readonly version: number; readonly infoHash: string };

/** Why the executor refused a request. A refused deploy ran nothing. */
export type RefusalCode =
  | MetadataCode
  | 'BAD_REQUEST'
  | 'TOO_LARGE_REQUEST'
  | 'BUSY'
  | 'REQUEST_MISMATCH'
  | 'INPUT_REFUSED'
  | 'SANDBOX_UNAVAILABLE'
  | 'USER_UNKNOWN'
  | 'RECORD_IO'
  | 'UNSUPPORTED'
  /** A rollback of anything but the update deployed last here (or one already superseded). */
  | 'NOT_DEPLOYED_LAST'
  /** A rollback with no earlier healthy update kept to go back to. */
  | 'NO_PREVIOUS'
  /** A second rollback of the same update. */
  | 'ALREADY_ROLLED_BACK'
  /**
   * A rollback to a version whose signature has expired, asked for an update whose health
   * check did not fail here (an admin's abort, or a manager that is not to be trusted).
   */
  | 'PREVIOUS_EXPIRED'
  /** A deploy of a version rolled back here: never deployed again (a higher one is). */
  | 'ROLLED_BACK';

export type ExecutorResponse =
  | {
      readonly type: 'accepts';
      readonly uri: string;
      readonly accepted: boolean;
      /** The highest version the executor has started to deploy for `uri`, or null. */
      readonly highest: number | null;
    }
  | {
      readonly type: 'applied';
      readonly uri: string;
      readonly version: number;
      readonly infoHash: string;
      /** False: this very update was applied before; nothing ran now (exactly once). */
      readonly ran: boolean;
      readonly durationMs: number;
      readonly output: string;
    }
  | {
      readonly type: 'failed';
      readonly uri: string;
      readonly version: number;
      readonly code: DeployCode;
      readonly reason: string;
      readonly output: string;
    }
  /**
   * The deployer applied the update but its health check failed (every attempt): the update
   * stays applied until the manager asks for a rollback. `ran` false: this was known already.
   */
  | {
      readonly type: 'unhealthy';
      readonly uri: string;
      readonly version: number;
      readonly infoHash: string;
      readonly ran: boolean;
      readonly reason: string;
      readonly output: string;
    }
  /**
   * The answer to a rollback: `version` is rolled back, `to` is applied again. `health`: the
   * deployer's health check on the restored `to` ('none': the deployer has none). 'failed':
   * the node stays on `to`, unhealthy; nothing further is rolled back (no rollback of a
   * rollback), `healthReason` and `output` say why.
   */
  | {
      readonly type: 'rolled-back';
      readonly uri: string;
      readonly version: number;
      readonly infoHash: string;
      readonly to: { readonly version: number; readonly infoHash: string };
      readonly durationMs: number;
      readonly output: string;
      readonly health: 'ok' | 'failed' | 'none';
      readonly healthReason?: string;
    }
  | { readonly type: 'refused'; readonly code: RefusalCode; readonly reason: string };

/**
 * Refusals that asking again cannot change (the manager gives the update up). The others
 * (BUSY, RECORD_IO, INPUT_REFUSED, USER_UNKNOWN) may pass later: a failed attempt, retried.
 */
const FINAL: ReadonlySet<RefusalCode> = new Set<RefusalCode>([
  'MALFORMED',
  'TOO_LARGE',
  'UNKNOWN_SIGNER',
  'BAD_SIGNATURE',
  'THRESHOLD',
  'FAST_FORWARD',
  'EXPIRED',
  'PAYLOAD_MISMATCH',
  'ROLLBACK',
  'URI_NOT_ACCEPTED',
  'BAD_REQUEST',
  'TOO_LARGE_REQUEST',
  'REQUEST_MISMATCH',
  'SANDBOX_UNAVAILABLE',
  'UNSUPPORTED',
  'NOT_DEPLOYED_LAST',
  'NO_PREVIOUS',
  'ALREADY_ROLLED_BACK',
  'PREVIOUS_EXPIRED',
  'ROLLED_BACK',
]);

export function isFinalRefusal(code: RefusalCode): boolean {
  return FINAL.has(code);
}
