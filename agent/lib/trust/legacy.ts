/**
 * The implicit root of a node configured with plain trusted keys and no root (the
 * `trustedKeys` of before the root of trust; docs/adr/0003-root-of-trust.md §Plain keys):
 * version 0, never expires, any one of the keys signs an update (1 of n, as before) and
 * any one may sign root version 1, which then replaces it for good. No version ceiling.
 * It grants nothing the keys did not already have: one of them could always sign any update.
 */
import type { PublicKey } from '../crypto/keys.ts';
import type { TrustedRoot } from './model.ts';

export function legacyRoot(keys: readonly PublicKey[]): TrustedRoot {
  const byId = new Map(keys.map((k) => [k.keyId, k]));
  const role = { keyIds: [...byId.keys()], threshold: 1 };
  return { body: { version: 0, expires: null, keys: byId, root: role, update: role, versions: [] } };
}
