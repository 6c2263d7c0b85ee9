/**
 * Acceptance (spec §Check order, steps 7 and 8), pure: a verified update and the
 * node's records in, a decision out. Steps 1–6 (size, bencode, fields, signer,
 * signature, expiry) are verifyTorrentPlusPlus; step 9 (payload) is checkPayload.
 * Cheapest first: the manager's own version record (step 8), then what the deploy
 * executor says (step 7: its config is the one list of accepted URIs; its own record is
 * the floor that counts for deploys).
 */
import type { VerifiedUpdate } from '../lib/metainfo/model.ts';
import type { RefusalCode, UriRecord } from './model.ts';

export type Decision =
  | { readonly kind: 'accept' }
  /** The very torrent this node already holds as its current update for the URI. */
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'refuse'; readonly code: RefusalCode; readonly reason: string };

type Facts = Pick<VerifiedUpdate, 'uri' | 'version' | 'infoHash'>;

/** Step 8 against the manager's own record: strictly above the highest ever accepted. */
export function decide(u: Facts, rec: UriRecord | undefined): Decision {
  if (rec === undefined) return { kind: 'accept' };
  if (u.version > rec.highestAccepted) return { kind: 'accept' };
  if (u.version === rec.highestAccepted && rec.current?.infoHash === u.infoHash) return { kind: 'duplicate' };
  const what = u.version === rec.highestAccepted ? 'equals' : 'is below';
  return {
    kind: 'refuse',
    code: 'ROLLBACK',
    reason: `version ${u.version} of ${u.uri} ${what} the highest accepted version ${rec.highestAccepted}`,
  };
}

/**
 * Step 7, and step 8 against the executor's record: a deployer must accept the URI, and
 * the version must not be below what the executor has deployed (equal may be the very
 * update applied before this manager's store was lost: the executor then answers
 * `applied` without running it).
 */
export function decideWithExecutor(u: Facts, ex: { accepted: boolean; highest: number | null }): Decision {
  if (!ex.accepted)
    return { kind: 'refuse', code: 'URI_NOT_ACCEPTED', reason: `no deployer is configured for ${u.uri}` };
  if (ex.highest !== null && u.version < ex.highest)
    return {
      kind: 'refuse',
      code: 'ROLLBACK',
      reason: `version ${u.version} of ${u.uri} is below the version ${ex.highest} the deploy executor deployed`,
    };
  return { kind: 'accept' };
}
