/**
 * Removing superseded versions (docs/manager.md §Old versions): once a URI's current
 * update is applied, every older torrent of that URI the node still keeps (its
 * accepted torrent file in stateDir/torrents) is removed from Transmission with its
 * data, and its torrent file deleted. The applied one keeps seeding. A payload at the
 * old shared place (downloadDir/<name>) that a current record still uses is kept.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTorrentPlusPlus } from '../lib/metainfo/parse.ts';
import { payloadPath, torrentDir, type Core } from './core.ts';
import type { UpdateRecord } from './model.ts';
import { sleep } from './sleep.ts';

const GONE_WAIT_MS = 5000;

/** The daemon removes a torrent (and its files) after answering: wait until it is gone. */
async function untilGone(core: Core, infoHash: string): Promise<void> {
  const deadline = core.clock.now() + GONE_WAIT_MS;
  while (core.clock.now() < deadline && (await core.tx.location(infoHash)) !== null)
    await sleep(core.clock, 100);
}

/** uri and version of a kept torrent, or null when it cannot be read. */
async function whoIs(core: Core, infoHash: string): Promise<{ uri: string; version: number } | null> {
  try {
    const s = parseTorrentPlusPlus(await core.store.loadTorrent(infoHash)).signatures[0]?.signedInfo;
    return s === undefined ? null : { uri: s.uri, version: s.version };
  } catch {
    return null;
  }
}

/** Removes `uri`'s torrents older than the applied `c`; returns their infohashes. */
export async function retireOlder(core: Core, uri: string, c: UpdateRecord): Promise<string[]> {
  const currents = Object.values(core.store.data.uris).flatMap((r) => (r.current ? [r.current] : []));
  const inUse = new Set(currents.map((x) => payloadPath(core, x)));
  // The same bytes may be another URI's current update (one infohash): never removed.
  const held = new Set(currents.map((x) => x.infoHash));
  const removed: string[] = [];
  for (const h of await core.store.torrentHashes()) {
    if (h === c.infoHash || held.has(h)) continue;
    const who = await whoIs(core, h);
    if (who === null || who.uri !== uri || who.version >= c.version) continue;
    const at = await core.tx.location(h);
    const deleteData = at !== null && !inUse.has(join(at.downloadDir, at.name));
    if (at !== null) {
      await core.tx.remove(h, deleteData);
      await untilGone(core, h);
    }
    // Its own directory (named by its infohash, so nobody else's): the daemon deletes the
    // files it wrote, not the directory, nor a payload the manager placed there (the
    // daemon's user may not write in a directory the manager made).
    const own = torrentDir(core, { infoHash: h, ownDir: true });
    if (deleteData || at === null)
      await rm(own, { recursive: true, force: true }).catch((e: unknown) =>
        core.log.warn(
          { uri, infoHash: h, dir: own, err: (e as Error).message },
          'old version data not deleted',
        ),
      );
    await core.store.removeTorrent(h);
    core.log.info(
      { uri, version: who.version, infoHash: h, dataDeleted: deleteData, current: c.version },
      'old version removed',
    );
    removed.push(h);
  }
  return removed;
}
