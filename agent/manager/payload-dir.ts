/**
 * Where a torrent's payload lives, pure: each torrent downloads into its own directory
 * `downloadDir/<infohash>/`, so two versions (or URIs) whose payloads share a file name
 * never share a file. Records written before that (no `ownDir`) keep the old place,
 * `downloadDir/<info.name>`, so updates in flight across the upgrade still work.
 */
import { join } from 'node:path';
import type { UpdateRecord } from './model.ts';

type Where = Pick<UpdateRecord, 'infoHash' | 'name' | 'ownDir'>;

/** The `download-dir` handed to Transmission for this torrent. */
export function torrentDirOf(downloadDir: string, c: Omit<Where, 'name'>): string {
  return c.ownDir === true ? join(downloadDir, c.infoHash) : downloadDir;
}

export function payloadFileOf(downloadDir: string, c: Where): string {
  return join(torrentDirOf(downloadDir, c), c.name);
}
