/**
 * The root of trust in a config (docs/adr/0003-root-of-trust.md), the same for the
 * manager and the deploy executor: `root`, the root chain file the node is installed
 * with, or plain `trustedKeys` (any one signs, no version ceiling: fleets not yet moved to
 * a root). Exactly one of the two.
 */
import type { z } from 'zod';
import { absPath, list } from './fields.ts';

export const trustFields = {
  root: absPath()
    .nullable()
    .default(null)
    .describe(
      'The root of trust: a root chain from `p2p-update root init`/`sign` (root-owned). It names the update keys and how many must sign an update (k of n), the root keys that sign the next root, and version ceilings against fast-forward. Newer roots arrive in-band and are kept in stateDir/root.chain.',
    ),
  trustedKeys: list(absPath(), 64, 'a list of at most 64 absolute paths')
    .default([])
    .describe(
      'Instead of root: admin Ed25519 public keys (PEM, `p2p-update keygen`); any one signs an update, no version ceiling.',
    ),
};

/** superRefine of a schema with trustFields: exactly one of root and trustedKeys. */
export function checkTrust(
  c: { readonly root: string | null; readonly trustedKeys: readonly string[] },
  ctx: z.RefinementCtx,
): void {
  const say = (message: string) =>
    ctx.addIssue({ code: 'custom', path: ['trustedKeys'], message, input: c.trustedKeys });
  if (c.root !== null && c.trustedKeys.length > 0) say('nothing when "root" is given');
  if (c.root === null && c.trustedKeys.length === 0)
    say('at least one public key path (or "root": a root chain file)');
}
