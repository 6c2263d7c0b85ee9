/**
 * Acceptance (spec §Check order, steps 7 and 8), pure: a verified update and the
 * node's records in, a decision out. Steps 1–6 (size, bencode, fields, signer,
 * signature, expiry) are verifyTorrentPlusPlus; step 9 (payload) is checkPayload.
 */
import type { VerifiedUpdate } from '../lib/metainfo/model.ts';
import type { DeployerSpec } from '../lib/deploy/deployer-spec.ts';
import type { RefusalCode, UriRecord } from './model.ts';

export type Decision =
  | { readonly kind: 'accept' }
  /** The very torrent this node already holds as its current update for the URI. */
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'refuse'; readonly code: RefusalCode; readonly reason: string };

/** Longest configured prefix that `uri` starts with, or undefined. */
export function deployerFor(
  deployers: Readonly<Record<string, DeployerSpec>>,
  uri: string,
): DeployerSpec | undefined {
  let best: string | undefined;
  for (const prefix of Object.keys(deployers)) {
    if (uri.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : deployers[best];
}

export function decide(
  u: Pick<VerifiedUpdate, 'uri' | 'version' | 'infoHash'>,
  rec: UriRecord | undefined,
  deployers: Readonly<Record<string, DeployerSpec>>,
): Decision {
  // Step 7: this node takes updates for the URI only if a deployer is configured for it.
  if (deployerFor(deployers, u.uri) === undefined)
    return { kind: 'refuse', code: 'URI_NOT_ACCEPTED', reason: `no deployer is configured for ${u.uri}` };
  if (rec === undefined) return { kind: 'accept' };
  // Step 8: strictly above the highest version ever accepted (never lowered).
  if (u.version > rec.highestAccepted) return { kind: 'accept' };
  if (u.version === rec.highestAccepted && rec.current?.infoHash === u.infoHash) return { kind: 'duplicate' };
  const what = u.version === rec.highestAccepted ? 'equals' : 'is below';
  return {
    kind: 'refuse',
    code: 'ROLLBACK',
    reason: `version ${u.version} of ${u.uri} ${what} the highest accepted version ${rec.highestAccepted}`,
  };
}
