/**
 * The two halves of a directory payload in a torrent-file++ (spec §Directory payloads):
 * info `files` (BEP 3 multi-file: `[{length, path: [components]}]`, what BitTorrent
 * clients download) and the signed `files` manifest (manifest.ts: path, length and
 * SHA-256 of each file). Both are read strictly and must list the same paths and lengths
 * in the same, canonical order; the signed `sha256` must be the manifest's digest. A rule
 * broken is MALFORMED (TOO_LARGE for a count or size bound) naming the rule's DirCode.
 */
import { MetadataError } from '../common/errors.ts';
import { isDict, type BDict } from './bencode-strict.ts';
import { DIR_BOUND_CODES, DirError } from './dir-errors.ts';
import { bytesField, intField, onlyKeys } from './fields.ts';
import { checkComponents, checkOrder, PATH_LIMITS } from './file-path.ts';
import { manifestDigest, parseManifest, type ManifestEntry } from './manifest.ts';

export interface InfoFile {
  readonly path: string;
  readonly length: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Runs `read`, turning a DirError into the MetadataError a parser throws. */
export function asMetadata<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof DirError)) throw e;
    const code = DIR_BOUND_CODES.has(e.code) ? 'TOO_LARGE' : 'MALFORMED';
    throw new MetadataError(code, `${path}: ${e.code}: ${e.message}`, { cause: e });
  }
}

function component(v: unknown, where: string): string {
  if (!(v instanceof Uint8Array)) throw new DirError('MANIFEST_FORMAT', `${where}: expected a byte string`);
  try {
    return utf8.decode(v);
  } catch (cause) {
    throw new DirError('PATH_NOT_UTF8', `${where}: not UTF-8`, { cause });
  }
}

/** info.files: 1 … 64 entries `{length ≥ 1, path}`, canonical order. */
export function readInfoFiles(info: BDict): InfoFile[] {
  const list = info['files'];
  if (!Array.isArray(list) || list.length === 0)
    throw new MetadataError('MALFORMED', 'info.files: expected a list of at least one file');
  return asMetadata('info.files', () => {
    if (list.length > PATH_LIMITS.maxFiles)
      throw new DirError('TOO_MANY_FILES', `${list.length} files, the limit is ${PATH_LIMITS.maxFiles}`);
    const files = list.map((f, i) => {
      const where = `[${i}]`;
      if (!isDict(f)) throw new DirError('MANIFEST_FORMAT', `${where}: expected a dictionary`);
      onlyKeys(f, ['length', 'path'], `info.files${where}`);
      const parts = f['path'];
      if (!Array.isArray(parts)) throw new DirError('MANIFEST_FORMAT', `${where}.path: expected a list`);
      const path = checkComponents(
        parts.map((c) => component(c, `${where}.path`)),
        `${where}.path`,
      );
      const length = intField(f, 'length', `info.files${where}`);
      if (length === 0) throw new DirError('EMPTY_ENTRY', `${where}: "${path}" has 0 bytes`);
      return { path, length };
    });
    checkOrder(
      files.map((f) => f.path),
      '',
    );
    return files;
  });
}

/** The signed `files` manifest, and that `info.files` and the signed `sha256` agree with it. */
export function readSignedFiles(
  d: BDict,
  path: string,
  sha256: Uint8Array,
  infoFiles: readonly InfoFile[],
): ManifestEntry[] {
  const bytes = bytesField(d, 'files', path);
  return asMetadata(`${path}.files`, () => {
    const files = parseManifest(bytes, 'manifest');
    if (Buffer.compare(manifestDigest(bytes), sha256) !== 0)
      throw new DirError('FILES_MISMATCH', 'the signed sha256 is not the SHA-256 of the manifest');
    if (files.length !== infoFiles.length)
      throw new DirError(
        'FILES_MISMATCH',
        `the manifest lists ${files.length} files, info.files ${infoFiles.length}`,
      );
    files.forEach((f, i) => {
      const t = infoFiles[i]!;
      if (f.path !== t.path || f.length !== t.length)
        throw new DirError(
          'FILES_MISMATCH',
          `manifest[${i}] is "${f.path}" (${f.length} bytes), info.files[${i}] "${t.path}" (${t.length} bytes)`,
        );
    });
    return files;
  });
}
