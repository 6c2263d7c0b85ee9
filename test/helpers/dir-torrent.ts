/**
 * Directory torrents for tests: real trees on disk (`makeTree`), and signed torrents
 * whose info `files` and signed manifest are given as they are, however wrong
 * (`craftDirTorrent`): the admin's own signature over a bad file, so that only the
 * directory rules can refuse it.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encode } from '../../agent/lib/metainfo/bencode-strict.ts';
import { signDetached, signedMessage } from '../../agent/lib/metainfo/signature.ts';
import type { Admin } from './fixtures.ts';

/** Writes `files` (relative path → content) under `root`. */
export async function makeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), body);
  }
}

export interface CraftFile {
  /** Components as in info.files[i].path. */
  readonly parts: readonly (string | Buffer)[];
  readonly length: number;
}

export interface Craft {
  readonly files: readonly CraftFile[];
  /** The manifest text; default: one built from `files` (paths joined by "/", zero hashes). */
  readonly manifest?: string | Buffer;
  /** Signed sha256; default: the manifest's digest. */
  readonly sha256?: Buffer;
  readonly pieceLength?: number;
  readonly name?: string;
}

const ZERO = '0'.repeat(64);

export function manifestOf(files: readonly CraftFile[]): string {
  return files.map((f) => `${ZERO} ${f.length} ${f.parts.map(String).join('/')}\n`).join('');
}

export async function craftDirTorrent(admin: Admin, c: Craft): Promise<Uint8Array> {
  const pieceLength = c.pieceLength ?? 16384;
  const total = c.files.reduce((n, f) => n + f.length, 0);
  const info = {
    files: c.files.map((f) => ({ length: f.length, path: f.parts.map((p) => Buffer.from(p)) })),
    name: c.name ?? 'tree',
    'piece length': pieceLength,
    pieces: Buffer.alloc(20 * Math.ceil(total / pieceLength)),
    private: 1,
  };
  const manifest = Buffer.from(c.manifest ?? manifestOf(c.files));
  const kid = admin.pub.keyId;
  const signedInfo = {
    files: manifest,
    kid,
    length: total,
    sha256: c.sha256 ?? createHash('sha256').update(manifest).digest(),
    uri: 'app:/opt/tree',
    version: 1,
  };
  const infoBytes = encode(info);
  const signature = await signDetached(signedMessage(infoBytes, encode(signedInfo)), admin.secret.sodiumKey);
  return encode({ info, signatures: { [kid]: { info: signedInfo, signature } } });
}
