/**
 * The path rules of a directory payload (spec §Directory payloads), pure: the same
 * check at `create`, at every parse (info `files` and the signed manifest) and on every
 * walk of a directory on disk. A path is relative, `/`-separated UTF-8, 1 … 8 components
 * of 1 … 255 bytes, at most 1,024 bytes in all; no component is empty, `.` or `..`, and
 * none holds NUL, a control character or `\`.
 */
import { DirError } from './dir-errors.ts';

export const PATH_LIMITS = {
  maxFiles: 64,
  maxDepth: 8,
  maxComponentBytes: 255,
  maxPathBytes: 1024,
} as const;

// eslint-disable-next-line no-control-regex
const BAD_CHAR = /[\u0000-\u001f\u007f\\]/;

const show = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);

/** Checks one component (a file or directory name inside the payload). */
export function checkComponent(c: string, where: string): void {
  if (c === '' || c === '.')
    throw new DirError('PATH_EMPTY_COMPONENT', `${where}: an empty or "." component`);
  if (c === '..') throw new DirError('PATH_TRAVERSAL', `${where}: a ".." component`);
  if (c.includes('/')) throw new DirError('PATH_BAD_CHAR', `${where}: "/" inside the component ${show(c)}`);
  if (BAD_CHAR.test(c))
    throw new DirError('PATH_BAD_CHAR', `${where}: NUL, a control character or "\\" in ${show(c)}`);
  if (Buffer.byteLength(c) > PATH_LIMITS.maxComponentBytes)
    throw new DirError(
      'PATH_TOO_LONG',
      `${where}: a component of ${Buffer.byteLength(c)} bytes, the limit is ${PATH_LIMITS.maxComponentBytes}`,
    );
}

/** Checks a list of components (info `files[i].path`, or a path split at `/`). */
export function checkComponents(parts: readonly string[], where: string): string {
  if (parts.length === 0) throw new DirError('PATH_EMPTY_COMPONENT', `${where}: an empty path`);
  if (parts[0] === '' && parts.length > 1)
    throw new DirError('PATH_ABSOLUTE', `${where}: an absolute path ${show(parts.join('/'))}`);
  if (parts.length > PATH_LIMITS.maxDepth)
    throw new DirError(
      'PATH_TOO_DEEP',
      `${where}: ${parts.length} components, the limit is ${PATH_LIMITS.maxDepth}`,
    );
  for (const c of parts) checkComponent(c, where);
  const path = parts.join('/');
  if (Buffer.byteLength(path) > PATH_LIMITS.maxPathBytes)
    throw new DirError(
      'PATH_TOO_LONG',
      `${where}: a path of ${Buffer.byteLength(path)} bytes, the limit is ${PATH_LIMITS.maxPathBytes}`,
    );
  return path;
}

/** Checks a `/`-separated relative path. */
export function checkPath(path: string, where: string): string {
  return checkComponents(path.split('/'), where);
}

/** Canonical order: by the paths' UTF-8 bytes. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Checks a list of paths in canonical order: strictly increasing (no duplicate), and no
 * path that is also a directory of another (`a` and `a/b`).
 */
export function checkOrder(paths: readonly string[], where: string): void {
  if (paths.length > PATH_LIMITS.maxFiles)
    throw new DirError(
      'TOO_MANY_FILES',
      `${where}: ${paths.length} files, the limit is ${PATH_LIMITS.maxFiles}`,
    );
  const all = new Set(paths);
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i]!;
    if (i > 0 && comparePaths(paths[i - 1]!, p) >= 0)
      throw new DirError(
        paths[i - 1] === p ? 'PATH_CONFLICT' : 'MANIFEST_FORMAT',
        `${where}: ${show(p)} ${paths[i - 1] === p ? 'twice' : 'out of order (canonical: sorted by UTF-8 bytes)'}`,
      );
    const parts = p.split('/');
    for (let d = 1; d < parts.length; d++) {
      const dir = parts.slice(0, d).join('/');
      if (all.has(dir))
        throw new DirError(
          'PATH_CONFLICT',
          `${where}: ${show(dir)} is both a file and the directory of ${show(p)}`,
        );
    }
  }
}
