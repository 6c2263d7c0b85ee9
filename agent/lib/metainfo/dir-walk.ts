/**
 * Walking a directory payload on disk, strictly (spec §Directory payloads): every entry
 * is lstat'ed, never followed. A symbolic link is LINK, a FIFO, socket or device
 * SPECIAL_FILE, a 0-byte file or a directory with no file in it EMPTY_ENTRY; names,
 * depth and count follow file-path.ts. The walk stops at the first bound crossed: no
 * directory is read past 65 entries (each entry of a valid tree holds at least one file),
 * so a directory of a million files costs 65 names. Used by `create` on the source and by every check
 * of a downloaded directory (payload.ts).
 */
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { DirError } from './dir-errors.ts';
import { checkComponent, checkOrder, comparePaths, PATH_LIMITS } from './file-path.ts';

export interface DiskFile {
  readonly path: string;
  readonly abs: string;
  readonly length: number;
}

export async function walkDir(root: string): Promise<DiskFile[]> {
  const st = await lstat(root);
  if (st.isSymbolicLink()) throw new DirError('LINK', `${root} is a symbolic link`);
  if (!st.isDirectory()) throw new DirError('SPECIAL_FILE', `${root} is not a directory`);
  const out: DiskFile[] = [];
  await walk(root, [], out);
  out.sort((a, b) => comparePaths(a.path, b.path));
  checkOrder(
    out.map((f) => f.path),
    root,
  );
  return out;
}

async function walk(dir: string, parts: string[], out: DiskFile[]): Promise<void> {
  const names = await readNames(dir, rel(parts) || '.');
  if (names.length === 0)
    throw new DirError('EMPTY_ENTRY', `${rel(parts) || '.'}: an empty directory (a torrent cannot carry it)`);
  for (const name of names.sort(comparePaths)) {
    const here = [...parts, name];
    const path = rel(here);
    checkComponent(name, path);
    if (here.length > PATH_LIMITS.maxDepth)
      throw new DirError('PATH_TOO_DEEP', `${path}: deeper than ${PATH_LIMITS.maxDepth} components`);
    const abs = join(dir, name);
    const st = await lstat(abs);
    if (st.isSymbolicLink()) throw new DirError('LINK', `${path}: a symbolic link`);
    if (st.isDirectory()) {
      await walk(abs, here, out);
      continue;
    }
    if (!st.isFile())
      throw new DirError('SPECIAL_FILE', `${path}: not a regular file (FIFO, socket or device)`);
    if (st.size === 0) throw new DirError('EMPTY_ENTRY', `${path}: 0 bytes (a torrent cannot carry it)`);
    if (out.length === PATH_LIMITS.maxFiles)
      throw new DirError('TOO_MANY_FILES', `more than ${PATH_LIMITS.maxFiles} files`);
    if (Buffer.byteLength(path) > PATH_LIMITS.maxPathBytes)
      throw new DirError(
        'PATH_TOO_LONG',
        `a path of ${Buffer.byteLength(path)} bytes, the limit is ${PATH_LIMITS.maxPathBytes}`,
      );
    out.push({ path, abs, length: st.size });
  }
}

async function readNames(dir: string, where: string): Promise<string[]> {
  const names: string[] = [];
  const d = await opendir(dir);
  try {
    for await (const e of d) {
      if (names.length === PATH_LIMITS.maxFiles)
        throw new DirError('TOO_MANY_FILES', `${where}: more than ${PATH_LIMITS.maxFiles} entries`);
      names.push(e.name);
    }
  } finally {
    await d.close().catch(() => undefined);
  }
  return names;
}

const rel = (parts: readonly string[]) => parts.join('/');
