/**
 * Download steps: add the torrent to Transmission (pointed at our tracker), then
 * follow it until complete. Adding is idempotent ("torrent-duplicate"), so after any
 * restart of either process the manager simply adds again and keeps following.
 */
import { resolve } from 'node:path';
import { parseTorrentPlusPlus } from '../lib/metainfo/parse.ts';
import { withAnnounce } from '../lib/metainfo/announce.ts';
import { isComplete, localError, STATUS, type TorrentProgress } from '../lib/transmission/progress.ts';
import { record, torrentDir, type Core } from './core.ts';
import type { UpdateRecord } from './model.ts';
import { stallDecision, type StallMemo } from './stall-watch.ts';

/** Adds (or re-adds) the torrent; returns what the daemon said. */
export async function addTorrent(core: Core, c: UpdateRecord): Promise<'added' | 'duplicate'> {
  const raw = await core.store.loadTorrent(c.infoHash);
  const t = withAnnounce(parseTorrentPlusPlus(raw), core.trackerUrl());
  const dir = torrentDir(core, c);
  const r = await core.tx.add(t.raw, dir);
  core.log.info({ infoHash: c.infoHash, result: r, dir }, 'torrent added');
  return r;
}

/**
 * Makes sure the daemon keeps the torrent in its own directory. A daemon killed before
 * it wrote the torrent's resume data loads it again in its default download dir; the
 * data is then moved (the daemon reports the new place once the move is done).
 * Returns false while the torrent is elsewhere.
 */
export async function ensureLocation(core: Core, c: UpdateRecord, t: TorrentProgress): Promise<boolean> {
  const dir = torrentDir(core, c);
  if (t.downloadDir === undefined || resolve(t.downloadDir) === resolve(dir)) return true;
  core.log.warn(
    { infoHash: c.infoHash, at: t.downloadDir, dir },
    'torrent in the wrong directory; moving it',
  );
  await core.tx.setLocation(c.infoHash, dir);
  return false;
}

export interface PollMemo {
  infoHash: string;
  trackerChecked: boolean;
  corruptEver: number;
  stall: StallMemo;
  /** The last look at the torrent (paces the next one: swarm/poll-pace.ts). */
  last?: TorrentProgress | null;
}

/**
 * One look at a downloading torrent. Returns true when the download is complete.
 * Re-adds a torrent the daemon lost; restarts one that is stopped.
 */
export async function pollDownload(
  core: Core,
  uri: string,
  c: UpdateRecord,
  memo: PollMemo,
): Promise<boolean> {
  const t = await core.tx.get(c.infoHash);
  memo.last = t;
  if (t === null) {
    core.log.warn({ uri, infoHash: c.infoHash }, 'torrent missing from daemon; adding again');
    await addTorrent(core, c);
    memo.trackerChecked = false;
    return false;
  }
  if (!memo.trackerChecked) {
    await core.tx.ensureTracker(t, core.trackerUrl());
    memo.trackerChecked = true;
  }
  if (t.corruptEver > memo.corruptEver) {
    core.log.warn({ uri, infoHash: c.infoHash, corruptEver: t.corruptEver }, 'peer sent corrupt pieces');
    memo.corruptEver = t.corruptEver;
  }
  const err = localError(t);
  if (err !== null && err !== c.lastError) {
    core.log.warn({ uri, infoHash: c.infoHash, err }, 'transmission local error');
    await record(core, uri, c.version, { type: 'transfer-error', error: err });
  }
  if (!(await ensureLocation(core, c, t))) return false;
  if (isComplete(t)) return true;
  if (t.status === STATUS.stopped) await core.tx.start(c.infoHash);
  if (
    stallDecision(memo.stall, t.leftUntilDone, core.clock.now(), core.config.transmission.stallMs) ===
    'restart'
  ) {
    core.log.warn(
      { uri, infoHash: c.infoHash, left: t.leftUntilDone },
      'download stalled; re-adding torrent',
    );
    await core.tx.remove(c.infoHash, false);
    await addTorrent(core, c);
    memo.trackerChecked = false;
    return false;
  }
  if (Math.floor(t.percentDone * 100) !== Math.floor(c.progress * 100))
    await record(core, uri, c.version, { type: 'progress', fraction: t.percentDone });
  return false;
}
