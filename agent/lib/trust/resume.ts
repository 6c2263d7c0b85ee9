/**
 * Which root a verifier trusts at start, and which verified chain it keeps to spread
 * (docs/protocol/root.md §Persisting), pure apart from libsodium. Trusted: the anchor it
 * was installed with (walked from its first root), moved forward by the chain it
 * persisted when it last accepted a root — walked from the anchor like any chain, so a
 * persisted file that does not verify stops start-up, and a file written by someone else
 * grants nothing. An anchor newer than the persisted chain wins (a re-installed node).
 */
import { ROOT_LIMITS } from './limits.ts';
import { advance } from './advance.ts';
import type { SignedRoot, TrustedRoot } from './model.ts';

export interface Trusted {
  readonly root: TrustedRoot;
  /** Verified roots, consecutive, ending at `root` (empty for plain keys before any root). */
  readonly roots: readonly SignedRoot[];
}

/** The consecutive run of `roots` that ends at the newest, at most maxChainRoots long. */
export function keepChain(roots: readonly SignedRoot[]): SignedRoot[] {
  const byVersion = new Map(roots.map((r) => [r.body.version, r]));
  const out: SignedRoot[] = [];
  let v = Math.max(...byVersion.keys());
  for (let r = byVersion.get(v); r && out.length < ROOT_LIMITS.maxChainRoots; r = byVersion.get(--v))
    out.unshift(r);
  return out;
}

export async function resume(anchor: Trusted, persisted: readonly SignedRoot[] | null): Promise<Trusted> {
  const head = persisted?.[persisted.length - 1];
  if (!persisted || !head || head.body.version <= anchor.root.body.version) return anchor;
  const a = await advance(anchor.root, persisted);
  return { root: a.root, roots: keepChain([...anchor.roots, ...a.accepted]) };
}
