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
   * → signer → signed info; a real file holds ~250 values, ≤ 32 items per list, ≤ 8 entries
   * per dict; its longest string is `pieces` (20 × maxPieces).
   */
  maxDepth: 4,
  maxContainerItems: 64,
  maxValues: 1024,
  maxStringBytes: 20 * MAX_PIECES,
  maxIntChars: 17,
} as const;
