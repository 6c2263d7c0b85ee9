/**
 * Walking a root chain from the trusted root (docs/protocol/root.md §Rotation), pure
 * apart from libsodium: every root above the trusted version, one version at a time,
 * each checked by checkSuccessor against the one before. Never backwards: a chain whose
 * newest root is older than the trusted one is a rollback; one that is the trusted root
 * again (same bytes) changes nothing. The caller persists the result.
 */
import { MetadataError } from '../common/errors.ts';
import type { SignedRoot, TrustedRoot } from './model.ts';
import { checkSelfSigned, checkSuccessor } from './verify-root.ts';

export interface Advanced {
  /** The newest root now trusted (the trusted one itself if nothing was newer). */
  readonly root: TrustedRoot;
  /** Roots accepted on the way, oldest first; empty if nothing was newer. */
  readonly accepted: readonly SignedRoot[];
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(a, b) === 0;
}

export async function advance(trusted: TrustedRoot, chain: readonly SignedRoot[]): Promise<Advanced> {
  const head = chain[chain.length - 1];
  if (head === undefined) throw new MetadataError('MALFORMED', 'root chain: no root in it');
  const have = trusted.body.version;
  if (head.body.version < have)
    throw new MetadataError(
      'ROOT_ROLLBACK',
      `root chain ends at version ${head.body.version}; version ${have} is trusted`,
    );
  if (head.body.version === have) {
    if (trusted.bodyBytes === undefined || sameBytes(trusted.bodyBytes, head.bodyBytes))
      return { root: trusted, accepted: [] };
    throw new MetadataError('ROOT_ROLLBACK', `root version ${have} is trusted with other content`);
  }
  const accepted: SignedRoot[] = [];
  let current = trusted;
  for (let v = have + 1; v <= head.body.version; v++) {
    const next = chain.find((r) => r.body.version === v);
    if (next === undefined)
      throw new MetadataError(
        'ROOT_GAP',
        `root chain lacks version ${v} (trusted ${have}, newest ${head.body.version})`,
      );
    await checkSuccessor(current.body, next);
    accepted.push(next);
    current = next;
  }
  return { root: current, accepted };
}

/** An anchor chain (installed with the node): its first root must sign itself; then walk. */
export async function walkAnchor(chain: readonly SignedRoot[]): Promise<TrustedRoot> {
  const first = chain[0];
  if (first === undefined) throw new MetadataError('MALFORMED', 'root chain: no root in it');
  await checkSelfSigned(first);
  return (await advance(first, chain)).root;
}
