/**
 * A file's identity for "has it changed since we hashed it?" (lever H), pure apart from
 * the stat: device, inode, size, mtime and ctime. Transmission only reads a complete
 * payload, so an unchanged identity means unchanged bytes — short of someone resetting
 * mtime by hand, which the ctime (not settable) still catches.
 */
import { stat } from 'node:fs/promises';

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

export async function identityOf(path: string): Promise<FileIdentity | null> {
  const s = await stat(path, { bigint: true }).catch(() => null);
  if (s === null) return null;
  return {
    dev: Number(s.dev),
    ino: Number(s.ino),
    size: Number(s.size),
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
  };
}

export function sameIdentity(a: FileIdentity | null, b: FileIdentity | null): boolean {
  return (
    a !== null &&
    b !== null &&
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}
