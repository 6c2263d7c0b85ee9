/**
 * Coded errors of a directory payload (spec §Directory payloads). Each code names one
 * rule; parse.ts wraps them as MALFORMED / TOO_LARGE (a bad torrent), payload checks as
 * PAYLOAD_MISMATCH (bad bytes on disk), `create` reports them as they are.
 */
import { P2PError } from '../common/errors.ts';

export type DirCode =
  /** A `..` component. */
  | 'PATH_TRAVERSAL'
  /** A path starting with `/` (an empty first component). */
  | 'PATH_ABSOLUTE'
  /** An empty or `.` component (`a//b`, `a/./b`, a trailing `/`). */
  | 'PATH_EMPTY_COMPONENT'
  /** NUL, a control character (U+0000–U+001F, U+007F) or `\` in a component. */
  | 'PATH_BAD_CHAR'
  /** Not UTF-8. */
  | 'PATH_NOT_UTF8'
  /** A component over 255 bytes or a path over 1,024 bytes. */
  | 'PATH_TOO_LONG'
  /** More than 8 components. */
  | 'PATH_TOO_DEEP'
  /** The same path twice, or a path that is both a file and a directory. */
  | 'PATH_CONFLICT'
  | 'TOO_MANY_FILES'
  /** Over the total size (the piece bound: 65,536 × 32 MiB). */
  | 'DIR_TOO_LARGE'
  /** A symbolic link anywhere in the tree. */
  | 'LINK'
  /** A FIFO, socket or device. */
  | 'SPECIAL_FILE'
  /** A file of 0 bytes, or a directory holding no file (a torrent cannot carry either). */
  | 'EMPTY_ENTRY'
  /** A torrent's info `files` that differ from its signed manifest. */
  | 'FILES_MISMATCH'
  /** A manifest that is not canonical (order, format). */
  | 'MANIFEST_FORMAT'
  /** On disk: a file of the manifest is not there. */
  | 'MISSING_FILE'
  /** On disk: a file the manifest does not list. */
  | 'EXTRA_FILE'
  /** On disk: a file whose length or SHA-256 is not the signed one. */
  | 'FILE_MISMATCH';

export class DirError extends P2PError {
  constructor(
    readonly code: DirCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Codes that are a count or size bound (parse.ts maps them to TOO_LARGE). */
export const DIR_BOUND_CODES: ReadonlySet<DirCode> = new Set(['TOO_MANY_FILES', 'DIR_TOO_LARGE']);
