/**
 * Re-checking what a rollback goes back to, from the executor's own kept copies only
 * (docs/deploy-executor.md §Rollback): its copy of the previous update's torrent-file++ is
 * verified again against the root it trusts now (k of the update keys, the root not expired;
 * the torrent's own expiry only if the update rolled back was healthy: PREVIOUS_EXPIRED),
 * must name the recorded uri, version and infohash, and the kept payload copy is hashed again
 * against the signed length and SHA-256 (a directory: walked strictly, exactly the signed
 * manifest's files, each hashed again). Nothing the manager holds is read.
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MetadataError } from '../lib/common/errors.ts';
import { DirError } from '../lib/metainfo/dir-errors.ts';
import { walkDir } from '../lib/metainfo/dir-walk.ts';
import type { ManifestEntry } from '../lib/metainfo/manifest.ts';
import { payloadName } from '../lib/deploy/deployers.ts';
import { LIMITS } from '../lib/metainfo/limits.ts';
import type { VerifiedUpdate } from '../lib/metainfo/model.ts';
import { verifyUpdate } from '../lib/trust/verify-update.ts';
import { specOf, type DeployerConfig } from './config.ts';
import type { ExecutorCore } from './core.ts';
import type { Ref } from './record-rules.ts';
import { keptTorrentOf, updateDirOf } from './work-dir.ts';

export type KeptCheck =
  | { readonly ok: true; readonly update: VerifiedUpdate; readonly file: string; readonly dir: string }
  | {
      readonly ok: false;
      readonly code:
        'NO_PREVIOUS' | 'PAYLOAD_MISMATCH' | 'REQUEST_MISMATCH' | 'PREVIOUS_EXPIRED' | MetadataError['code'];
      readonly reason: string;
    };

async function sha256Of(path: string, cap: number): Promise<{ length: number; sha256: Buffer } | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (fh === null) return null;
  try {
    if (!(await fh.stat()).isFile()) return null;
    const hash = createHash('sha256');
    let length = 0;
    for await (const chunk of fh.createReadStream({ end: cap, autoClose: false })) {
      hash.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
    return { length, sha256: hash.digest() };
  } catch {
    return null;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Null when the kept directory holds exactly the manifest's files with their signed bytes. */
async function dirMismatch(dir: string, files: readonly ManifestEntry[]): Promise<string | null> {
  let disk;
  try {
    disk = await walkDir(dir);
  } catch (e) {
    if (e instanceof DirError || (e as NodeJS.ErrnoException).code !== undefined)
      return `kept directory: ${(e as Error).message}`;
    throw e;
  }
  if (disk.length !== files.length || disk.some((f, i) => f.path !== files[i]!.path))
    return 'kept directory: not the files of the signed manifest';
  for (const [i, f] of disk.entries()) {
    const got = await sha256Of(f.abs, files[i]!.length);
    if (got === null || got.length !== files[i]!.length || !got.sha256.equals(files[i]!.sha256))
      return `kept directory: "${f.path}" does not match its signed length and SHA-256`;
  }
  return null;
}

/**
 * `expiredOk`: the update rolled back failed its health check here, so `to` may be one whose
 * signature expired after this executor deployed it (it was valid then: the record says so).
 */
export async function checkKept(
  core: ExecutorCore,
  uri: string,
  to: Ref,
  d: DeployerConfig,
  expiredOk: boolean,
): Promise<KeptCheck> {
  const stateDir = core.config.stateDir;
  const raw = await readFile(keptTorrentOf(stateDir, uri, to.infoHash, to.version)).catch(() => null);
  if (raw === null || raw.length > LIMITS.maxMetadataBytes)
    return {
      ok: false,
      code: 'NO_PREVIOUS',
      reason: `${uri}: no kept torrent-file++ of version ${to.version}`,
    };
  let u: VerifiedUpdate;
  try {
    u = await verifyUpdate(raw, core.trust.root.body, core.clock.now(), true);
  } catch (e) {
    if (e instanceof MetadataError)
      return { ok: false, code: e.code, reason: `kept version ${to.version}: ${e.message}` };
    throw e;
  }
  if (u.uri !== uri || u.version !== to.version || u.infoHash !== to.infoHash)
    return {
      ok: false,
      code: 'REQUEST_MISMATCH',
      reason: `the kept torrent is ${u.uri} v${u.version} ${u.infoHash}, the record says v${to.version} ${to.infoHash}`,
    };
  if (!expiredOk && u.expires !== undefined && core.clock.now() > u.expires * 1000)
    return {
      ok: false,
      code: 'PREVIOUS_EXPIRED',
      reason: `kept version ${to.version} expired at ${new Date(u.expires * 1000).toISOString()}; a rollback to it is allowed only after a failed health check here`,
    };
  const dir = updateDirOf(stateDir, uri, to.infoHash);
  const file = join(dir, payloadName(specOf(d), u.name));
  if (u.files !== undefined) {
    const why = await dirMismatch(file, u.files);
    if (why !== null) return { ok: false, code: 'PAYLOAD_MISMATCH', reason: `version ${to.version}: ${why}` };
    return { ok: true, update: u, file, dir };
  }
  const got = await sha256Of(file, u.length);
  if (got === null)
    return { ok: false, code: 'NO_PREVIOUS', reason: `${uri}: no kept payload of version ${to.version}` };
  if (got.length !== u.length || !got.sha256.equals(u.sha256))
    return {
      ok: false,
      code: 'PAYLOAD_MISMATCH',
      reason: `kept payload of version ${to.version} does not match its signed length and SHA-256`,
    };
  return { ok: true, update: u, file, dir };
}
