/**
 * The admin's side, on the controller: a key pair, and signed updates made with the real
 * CLI (`p2p-update keygen`, `p2p-update create`) for any URI: a random payload (app:/),
 * or a real Debian package (pkg:/, hello-deb.ts); a root of trust naming the key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseTorrentPlusPlus } from '../../../agent/lib/metainfo/parse.ts';
import { BIN } from '../../e2e/harness/paths.ts';
import { run } from '../../e2e/harness/run.ts';

export interface Signed {
  readonly uri: string;
  readonly version: number;
  /** Host paths of the torrent-file++ and of the payload beside it. */
  readonly torrent: string;
  readonly payload: string;
  /** info.name: the payload's file name. */
  readonly name: string;
  readonly infoHash: string;
  readonly sha256: string;
}

export interface AdminKey {
  /** Host path of the private key. */
  readonly key: string;
  /** The public key (PEM), what the nodes trust. */
  readonly pub: string;
}

/** A fresh admin key pair in `dir` (`p2p-update keygen`). */
export async function adminKey(dir: string, name = 'admin'): Promise<AdminKey> {
  mkdirSync(dir, { recursive: true });
  await run(BIN, ['keygen', '--out', join(dir, name)], { timeoutMs: 30_000 });
  return { key: join(dir, `${name}.key`), pub: readFileSync(join(dir, `${name}.pub`), 'utf8') };
}

/**
 * A root of trust (v1) on the controller naming `key` as root and update key
 * (`p2p-update root init`, `root sign`); returns the root chain nodes trust.
 */
export async function fleetRoot(key: AdminKey, dir: string): Promise<Buffer> {
  const pub = key.key.replace(/\.key$/, '.pub');
  const out = join(dir, 'fleet.root');
  await run(BIN, ['root', 'init', '--root-key', pub, '--update-key', pub, '--out', out], {
    timeoutMs: 30_000,
  });
  await run(BIN, ['root', 'sign', out, '--key', key.key], { timeoutMs: 30_000 });
  return readFileSync(out);
}

/** Signs `payload` as `uri` version `version` (`p2p-update create`, expires in 7 days). */
export async function sign(key: AdminKey, payload: string, uri: string, version: number): Promise<Signed> {
  const torrent = `${payload}.torrent`;
  const args = ['create', payload, '--uri', uri, '--version', String(version), '--key', key.key];
  await run(BIN, [...args, '--expires', '7d', '--out', torrent], { timeoutMs: 60_000 });
  const { infoHash } = parseTorrentPlusPlus(new Uint8Array(readFileSync(torrent)));
  const sha256 = createHash('sha256').update(readFileSync(payload)).digest('hex');
  return { uri, version, torrent, payload, name: basename(payload), infoHash, sha256 };
}

/** A payload of `size` random bytes at `dir/name`; returns its path. */
export function randomPayload(dir: string, name: string, size: number): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, randomBytes(size));
  return path;
}
