/**
 * The executor's work dir, stateDir/work/ (root, 0711: enterable, not listable). Each
 * update gets work/<infohash>.<uri hash>/ (root:<deployer's group>, 0750) holding the checked copy
 * of its payload (0640): the deployer's user can read it, nobody but root can change it.
 * Beside it, work/<infohash>.<uri hash>.<version>.torrent (root, 0600) is the executor's
 * own copy of the update's torrent-file++, against which a rollback re-verifies the kept
 * payload (by version too: two versions may carry the same bytes, one infohash).
 * Copies no deploy may need again are removed after each deploy: only the applied and
 * the previously applied update of each URI are kept (a rollback needs the latter).
 */
import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeployRecord } from './record-rules.ts';

export function workRoot(stateDir: string): string {
  return join(stateDir, 'work');
}

export async function prepareWorkRoot(stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await chmod(stateDir, 0o711);
  await mkdir(workRoot(stateDir), { recursive: true, mode: 0o711 });
  await chmod(workRoot(stateDir), 0o711);
}

/** One update's directory name: two URIs may carry the same payload (same infohash). */
function dirName(uri: string, infoHash: string): string {
  return `${infoHash}.${createHash('sha256').update(uri).digest('hex').slice(0, 8)}`;
}

/** The update's work dir (whether it exists or not). */
export function updateDirOf(stateDir: string, uri: string, infoHash: string): string {
  return join(workRoot(stateDir), dirName(uri, infoHash));
}

/** The executor's own copy of the update's torrent-file++ (rollback.ts re-verifies it). */
export function keptTorrentOf(stateDir: string, uri: string, infoHash: string, version: number): string {
  return `${updateDirOf(stateDir, uri, infoHash)}.${version}.torrent`;
}

/** A fresh directory for `uri`'s update, owned root:`gid`; an earlier copy in it is discarded. */
export async function updateDir(
  stateDir: string,
  uri: string,
  infoHash: string,
  gid: number,
): Promise<string> {
  const dir = join(workRoot(stateDir), dirName(uri, infoHash));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o750 });
  await chown(dir, 0, gid);
  await chmod(dir, 0o750);
  return dir;
}

/** Removes every update dir that is neither applied nor previous nor running anywhere. */
export async function pruneWork(stateDir: string, d: DeployRecord): Promise<void> {
  const keep = new Set<string>();
  for (const [uri, u] of Object.entries(d.uris))
    for (const r of [u.applied, u.previous, u.running])
      if (r) keep.add(dirName(uri, r.infoHash)).add(`${dirName(uri, r.infoHash)}.${r.version}.torrent`);
  const names = await readdir(workRoot(stateDir)).catch(() => [] as string[]);
  for (const n of names)
    if (!keep.has(n)) await rm(join(workRoot(stateDir), n), { recursive: true, force: true });
}
