/**
 * The info dict and manifest of a directory payload (spec §Directory payloads), built here
 * rather than by create-torrent (which drops "junk" names such as Thumbs.db, and orders
 * files its own way): the source is walked strictly (dir-walk.ts: no link, no special
 * file, every path and bound checked before a byte is read), then every file is read once,
 * in canonical order, feeding both the SHA-1 pieces over the concatenation (BEP 3
 * multi-file) and the file's SHA-256 for the manifest. A file that changes size while it
 * is read is refused.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { DirError } from './dir-errors.ts';
import { walkDir, type DiskFile } from './dir-walk.ts';
import { encodeManifest, manifestDigest, type ManifestEntry } from './manifest.ts';
import { LIMITS } from './limits.ts';
import { pieceLengthFor, smallestPieceLength } from './piece-length.ts';

export interface DirParts {
  readonly info: Record<string, unknown>;
  /** The canonical manifest (the signed `files`), its digest (the signed `sha256`) and the total. */
  readonly manifest: Uint8Array;
  readonly sha256: Buffer;
  readonly length: number;
}

class Pieces {
  private hash: Hash = createHash('sha1');
  private filled = 0;
  readonly out: Buffer[] = [];
  constructor(private readonly size: number) {}
  update(b: Buffer): void {
    for (let at = 0; at < b.length;) {
      const n = Math.min(this.size - this.filled, b.length - at);
      this.hash.update(b.subarray(at, at + n));
      this.filled += n;
      at += n;
      if (this.filled === this.size) this.flush();
    }
  }
  flush(): void {
    if (this.filled === 0) return;
    this.out.push(this.hash.digest());
    this.hash = createHash('sha1');
    this.filled = 0;
  }
}

async function readOne(f: DiskFile, pieces: Pieces): Promise<ManifestEntry> {
  const fh = await open(f.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  const sha = createHash('sha256');
  let length = 0;
  for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20 })) {
    length += (chunk as Buffer).length;
    sha.update(chunk as Buffer);
    pieces.update(chunk as Buffer);
  }
  if (length !== f.length)
    throw new DirError(
      'FILE_MISMATCH',
      `${f.path} changed while the torrent was made (${f.length} → ${length} bytes)`,
    );
  return { path: f.path, length, sha256: sha.digest() };
}

export async function buildDir(
  root: string,
  name: string,
  pieceLength: number | undefined,
  priv: boolean,
): Promise<DirParts> {
  const disk = await walkDir(root);
  const length = disk.reduce((n, f) => n + f.length, 0);
  if (smallestPieceLength(length) === null)
    throw new DirError(
      'DIR_TOO_LARGE',
      `${length} bytes in all, the limit is ${LIMITS.maxPieces * LIMITS.maxPieceLength} (${LIMITS.maxPieces} pieces of ${LIMITS.maxPieceLength})`,
    );
  const size = pieceLengthFor(length, pieceLength); // refuses an impossible size before reading
  const pieces = new Pieces(size);
  const files: ManifestEntry[] = [];
  for (const f of disk) files.push(await readOne(f, pieces));
  pieces.flush();
  const manifest = encodeManifest(files);
  const info = {
    files: files.map((f) => ({ length: f.length, path: f.path.split('/') })),
    name,
    'piece length': size,
    pieces: Buffer.concat(pieces.out),
    ...(priv ? { private: 1 } : {}),
  };
  return { info, manifest, sha256: manifestDigest(manifest), length };
}
