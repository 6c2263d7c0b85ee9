/**
 * Choosing and checking a piece length for `create`, from the payload's size alone: the
 * piece count is known before a byte is read, so an impossible one is refused before
 * hashing (a 1.6 GB payload at 16 KiB would otherwise hash for seconds, then fail).
 */
import { UsageError } from '../common/errors.ts';
import { LIMITS } from './limits.ts';

/** A piece length near size/1024, within the limits: about 1,000 pieces per file. */
export function choosePieceLength(size: number): number {
  let p = LIMITS.minPieceLength;
  while (p < LIMITS.maxPieceLength && size / p > 1024) p *= 2;
  return p;
}

/** The smallest allowed piece length that keeps `size` within LIMITS.maxPieces, or null. */
export function smallestPieceLength(size: number): number | null {
  for (let p = LIMITS.minPieceLength; p <= LIMITS.maxPieceLength; p *= 2)
    if (Math.ceil(size / p) <= LIMITS.maxPieces) return p;
  return null;
}

const MIB = 1024 * 1024;

/**
 * The piece length to use for a payload of `size` bytes (`requested`, or one chosen), or
 * a UsageError saying why not and what would fit.
 */
export function pieceLengthFor(size: number, requested?: number): number {
  const fits = smallestPieceLength(size);
  if (fits === null) {
    const most = (LIMITS.maxPieces * LIMITS.maxPieceLength) / MIB;
    throw new UsageError(
      `the payload is ${size} bytes; one update holds at most ${LIMITS.maxPieces} pieces of ${LIMITS.maxPieceLength} bytes (${most} MiB): split it`,
    );
  }
  if (requested === undefined) return choosePieceLength(size); // ≥ fits: ≤ 1,024 pieces or the largest
  if (
    requested < LIMITS.minPieceLength ||
    requested > LIMITS.maxPieceLength ||
    (requested & (requested - 1)) !== 0
  ) {
    throw new UsageError(
      `--piece-length must be a power of two in [${LIMITS.minPieceLength}, ${LIMITS.maxPieceLength}], got ${requested}`,
    );
  }
  const pieces = Math.ceil(size / requested);
  if (pieces > LIMITS.maxPieces) {
    throw new UsageError(
      `--piece-length ${requested} cuts ${size} bytes into ${pieces} pieces, the limit is ${LIMITS.maxPieces}: use --piece-length ${fits} or more`,
    );
  }
  return requested;
}
