/**
 * Verifying a torrent-file++ against the trusted root (docs/protocol/root.md §Updates),
 * pure apart from libsodium: the root must not have expired (TUF's freeze check: an
 * expired root takes no update until a newer root arrives), then the torrent's steps 1–6
 * with the root's update keys and threshold (k distinct keys signing the same facts).
 * The version ceiling needs the node's records: checkCeiling (ceiling.ts), at acceptance.
 */
import { MetadataError } from '../common/errors.ts';
import type { PublicKey } from '../crypto/keys.ts';
import type { VerifiedUpdate } from '../metainfo/model.ts';
import { verifyTorrentPlusPlus } from '../metainfo/verify.ts';
import type { RootBody } from './model.ts';

export function updateKeys(root: RootBody): { trusted: PublicKey[]; threshold: number } {
  return { trusted: root.update.keyIds.map((k) => root.keys.get(k)!), threshold: root.update.threshold };
}

export function checkRootFresh(root: RootBody, nowMs: number): void {
  if (root.expires !== null && nowMs > root.expires * 1000)
    throw new MetadataError(
      'ROOT_EXPIRED',
      `trusted root version ${root.version} expired at ${new Date(root.expires * 1000).toISOString()}; no update is taken until a newer root arrives`,
    );
}

/** `expiredOk`: the torrent's own expiry is the caller's to judge (never the root's). */
export async function verifyUpdate(
  raw: Uint8Array,
  root: RootBody,
  nowMs: number,
  expiredOk = false,
): Promise<VerifiedUpdate> {
  checkRootFresh(root, nowMs);
  return verifyTorrentPlusPlus(raw, { ...updateKeys(root), now: nowMs, expiredOk });
}
