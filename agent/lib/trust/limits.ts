/**
 * Bounds on a root document and a root chain (docs/protocol/root.md §Limits), checked
 * before and while parsing so a hostile one costs little: a root chain arrives through
 * gossip from any member, like a torrent-file++.
 */
export const ROOT_LIMITS = {
  /** One root document, in bytes. */
  maxRootBytes: 16 * 1024,
  /** Keys named by one root, and key ids in one role. */
  maxKeys: 16,
  /** Signatures on one root: a rotation carries the old root keys' and the new ones'. */
  maxSignatures: 32,
  maxRules: 16,
  maxPrefixBytes: 256,
  /** Roots in one chain; `root rotate` drops the oldest beyond it. */
  maxChainRoots: 32,
  /** Shape pre-check of a root (top → signed → role → key ids: depth 4). */
  shape: { maxDepth: 4, maxContainerItems: 32, maxValues: 512, maxStringBytes: 256, maxIntChars: 17 },
} as const;

/** A whole chain: a dict holding one list of root documents (as byte strings). */
export const CHAIN_LIMITS = {
  maxChainBytes: ROOT_LIMITS.maxChainRoots * (ROOT_LIMITS.maxRootBytes + 8) + 16,
  shape: {
    maxDepth: 2,
    maxContainerItems: ROOT_LIMITS.maxChainRoots,
    maxValues: ROOT_LIMITS.maxChainRoots + 3,
    maxStringBytes: ROOT_LIMITS.maxRootBytes,
    maxIntChars: 17,
  },
} as const;
