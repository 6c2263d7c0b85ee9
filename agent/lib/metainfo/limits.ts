/**
 * Bounds on a torrent-file++ (docs/protocol/torrent-file-plus-plus.md §Limits).
 * Checked before and during parsing so that no input can make us allocate or loop
 * beyond them.
 */
const MAX_PIECES = 65_536;

export const LIMITS = {
  /** Whole metainfo file, in bytes. Checked first, before any parsing. */
  maxMetadataBytes: 2 * 1024 * 1024,
  /** Number of pieces (20-byte SHA-1 hashes). 65,536 × 20 B = 1.25 MiB of hashes. */
  maxPieces: MAX_PIECES,
  minPieceLength: 16 * 1024,
  maxPieceLength: 32 * 1024 * 1024,
  maxSignatures: 8,
  maxUriBytes: 256,
  maxNameBytes: 255,
  maxAnnounceUrlBytes: 1024,
  maxAnnounceUrls: 32,
  maxCommentBytes: 1024,
  /** An inline payload (spec §Inline payload): a script travels inside the file itself. */
  maxInlineBytes: 64 * 1024,
  /**
   * Shape pre-check (shape.ts), before decoding. The deepest real path is top → signatures
   * → signer → signed info → rollout → waves → one wave (7; it was 4 before rollout
   * policies: depth costs two bytes per level here and one stack frame in the decoder, so
   * the memory bound is kept by maxValues and maxContainerItems, not by depth). The largest
   * valid file holds ~630 values (8 signers each with a 10-wave policy: 52 values each),
   * ≤ 32 items per list, ≤ 8 entries per dict; its longest string is `pieces` (20 × maxPieces).
   * A directory payload adds up to 64 × 13 values (info `files`: 64 entries of a dict, two
   * keys, a length, a list of ≤ 8 components), 1,505 in all with 32 announce tiers: hence 2,048 (was 1,024).
   */
  maxDepth: 7,
  maxContainerItems: 64,
  maxValues: 2048,
  maxStringBytes: 20 * MAX_PIECES,
  maxIntChars: 17,
} as const;
