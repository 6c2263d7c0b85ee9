/**
 * The canonical manifest of a directory payload (spec §Directory payloads): the signed
 * `files` string. UTF-8 text, one line per file, in canonical order (paths sorted by their
 * UTF-8 bytes), each line
 *     <SHA-256, 64 lower-case hex> SP <length, decimal, no leading zero, ≥ 1> SP <path> LF
 * The signed `sha256` of a directory payload is the SHA-256 of these bytes and the signed
 * `length` the sum of the lengths. Parsing re-encodes and requires the same bytes back.
 */
import { createHash } from 'node:crypto';
import { DirError } from './dir-errors.ts';
import { checkOrder, checkPath, PATH_LIMITS } from './file-path.ts';

export interface ManifestEntry {
  /** Relative, `/`-separated (file-path.ts rules). */
  readonly path: string;
  readonly length: number;
  readonly sha256: Uint8Array;
}

/** The most a manifest can be: 64 lines of 64 + 1 + 16 + 1 + 1,024 + 1 bytes. */
export const MAX_MANIFEST_BYTES = PATH_LIMITS.maxFiles * (64 + 1 + 16 + 1 + PATH_LIMITS.maxPathBytes + 1);

const LINE = /^([0-9a-f]{64}) ([1-9][0-9]{0,15}) (.+)$/s;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeManifest(files: readonly ManifestEntry[]): Uint8Array {
  const text = files.map((f) => `${Buffer.from(f.sha256).toString('hex')} ${f.length} ${f.path}\n`).join('');
  return Buffer.from(text, 'utf8');
}

export function manifestDigest(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** The entries of a manifest, every path and the order checked (DirError otherwise). */
export function parseManifest(bytes: Uint8Array, where: string): ManifestEntry[] {
  if (bytes.length > MAX_MANIFEST_BYTES)
    throw new DirError(
      'TOO_MANY_FILES',
      `${where}: ${bytes.length} bytes, the limit is ${MAX_MANIFEST_BYTES}`,
    );
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new DirError('PATH_NOT_UTF8', `${where}: not UTF-8`, { cause });
  }
  if (!text.endsWith('\n')) throw new DirError('MANIFEST_FORMAT', `${where}: expected lines ending in LF`);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length > PATH_LIMITS.maxFiles)
    throw new DirError(
      'TOO_MANY_FILES',
      `${where}: ${lines.length} files, the limit is ${PATH_LIMITS.maxFiles}`,
    );
  const files = lines.map((line, i) => {
    const m = LINE.exec(line);
    if (m === null)
      throw new DirError('MANIFEST_FORMAT', `${where}[${i}]: expected "<sha256 hex> <length> <path>"`);
    const length = Number(m[2]);
    if (!Number.isSafeInteger(length))
      throw new DirError('MANIFEST_FORMAT', `${where}[${i}]: length ${m[2]} is over 2^53`);
    const path = checkPath(m[3]!, `${where}[${i}]`);
    return { path, length, sha256: Buffer.from(m[1]!, 'hex') };
  });
  checkOrder(
    files.map((f) => f.path),
    where,
  );
  if (Buffer.compare(encodeManifest(files), bytes) !== 0)
    throw new DirError('MANIFEST_FORMAT', `${where}: not in canonical form`);
  return files;
}
