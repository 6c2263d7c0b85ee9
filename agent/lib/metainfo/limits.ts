/**
 * Bounds on a torrent-file++ (docs/protocol/torrent-file-plus-plus.md §Limits).
 * Checked before and during parsing so that no input can make us allocate or loop
 * beyond them.
 */
export const LIMITS = {
  /** Whole metainfo file, in bytes. Checked first, before any parsing. */
  maxMetadataBytes: 2 * 1024 * 1024,
  /** Number of pieces (20-byte SHA-1 hashes). 65,536 × 20 B = 1.25 MiB of hashes. */
  maxPieces: 65_536,
  minPieceLength: 16 * 1024,
  maxPieceLength: 32 * 1024 * 1024,
  maxSignatures: 8,
  maxUriBytes: 256,
  maxNameBytes: 255,
  maxAnnounceUrlBytes: 1024,
  maxAnnounceUrls: 32,
  maxCommentBytes: 1024,
} as const;
