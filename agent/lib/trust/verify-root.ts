/**
 * Checking a root (docs/protocol/root.md §Rotation), after TUF's root update: a root
 * N+1 is trusted only if a threshold of root N's root keys signed it AND a threshold of
 * its own root keys did, and its version is exactly N+1. A first root (the anchor a node
 * is installed with) must carry the threshold of its own root keys. Expiry is not checked
 * here: an expired root may still hand over to its successor (verify-update.ts refuses
 * updates under an expired root).
 */
import { MetadataError } from '../common/errors.ts';
import type { RootBody, SignedRoot } from './model.ts';
import { describeTally, tally } from './threshold.ts';

async function signedBy(next: SignedRoot, by: RootBody, whose: string): Promise<void> {
  const t = await tally(next.bodyBytes, next.signatures, by.root, by.keys);
  if (t.valid.length < by.root.threshold)
    throw new MetadataError(
      'THRESHOLD',
      `root version ${next.body.version}: ${describeTally(t, by.root, whose)}`,
    );
}

export function checkSelfSigned(r: SignedRoot): Promise<void> {
  return signedBy(r, r.body, 'of its own root keys');
}

export async function checkSuccessor(trusted: RootBody, next: SignedRoot): Promise<void> {
  if (next.body.version !== trusted.version + 1)
    throw new MetadataError(
      next.body.version <= trusted.version ? 'ROOT_ROLLBACK' : 'ROOT_GAP',
      `root version ${next.body.version} cannot follow the trusted version ${trusted.version}; expected ${trusted.version + 1}`,
    );
  await signedBy(next, trusted, `root keys of the trusted version ${trusted.version}`);
  await checkSelfSigned(next);
}
