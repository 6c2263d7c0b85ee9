/**
 * The few Transmission calls the manager makes, typed. Torrents are named by their
 * info-hash string, which both 3.00 and 4.x accept as an id.
 */
import { TransferError } from './errors.ts';
import { asProgress, PROGRESS_FIELDS, type TorrentProgress } from './progress.ts';
import { TransmissionRpc, type RpcInit } from './rpc.ts';

export type AddResult = 'added' | 'duplicate';

export class TransmissionClient {
  private readonly rpc: TransmissionRpc;

  constructor(init: RpcInit) {
    this.rpc = new TransmissionRpc(init);
  }

  /** Adds by metainfo; re-adding a torrent the daemon has is not an error ("duplicate"). */
  async add(metainfo: Uint8Array, downloadDir: string): Promise<AddResult> {
    const r = await this.rpc.call('torrent-add', {
      metainfo: Buffer.from(metainfo).toString('base64'),
      'download-dir': downloadDir,
      paused: false,
    });
    if (r['torrent-added']) return 'added';
    if (r['torrent-duplicate']) return 'duplicate';
    throw new TransferError(
      'PROTOCOL',
      'torrent-add: neither torrent-added nor torrent-duplicate in the reply',
    );
  }

  /**
   * Bytes the daemon moved since its statistics began (`session-stats` cumulative-stats,
   * kept across daemon restarts), or null if the answer lacks them.
   */
  async transferred(): Promise<{ uploadedBytes: number; downloadedBytes: number } | null> {
    const r = await this.rpc.call<{ 'cumulative-stats'?: Record<string, unknown> }>('session-stats', {});
    const c = r['cumulative-stats'];
    const up = c?.['uploadedBytes'];
    const down = c?.['downloadedBytes'];
    return typeof up === 'number' && typeof down === 'number'
      ? { uploadedBytes: up, downloadedBytes: down }
      : null;
  }

  /** Progress of one torrent, or null when the daemon does not have it. */
  async get(infoHash: string): Promise<TorrentProgress | null> {
    const r = await this.rpc.call<{ torrents?: unknown[] }>('torrent-get', {
      ids: [infoHash],
      fields: PROGRESS_FIELDS,
    });
    const t = (r.torrents ?? []).map(asProgress).find((x) => x?.hashString === infoHash);
    return t ?? null;
  }

  /** Makes sure the torrent announces to `url` (an older add may carry another port). */
  async ensureTracker(t: TorrentProgress, url: string): Promise<void> {
    if (t.trackers.some((x) => x.announce === url)) return;
    const stale = t.trackers.map((x) => x.id);
    if (stale.length > 0) await this.rpc.call('torrent-set', { ids: [t.hashString], trackerRemove: stale });
    await this.rpc.call('torrent-set', { ids: [t.hashString], trackerAdd: [url] });
  }

  start(infoHash: string): Promise<unknown> {
    return this.rpc.call('torrent-start', { ids: [infoHash] });
  }

  /** Re-reads local data (after a payload was placed under a torrent the daemon already has). */
  verify(infoHash: string): Promise<unknown> {
    return this.rpc.call('torrent-verify', { ids: [infoHash] });
  }

  /** Stopping flushes the daemon's write cache for the torrent to disk. */
  stop(infoHash: string): Promise<unknown> {
    return this.rpc.call('torrent-stop', { ids: [infoHash] });
  }

  /** Where the daemon keeps a torrent's data, or null when it does not have it. */
  async location(infoHash: string): Promise<{ downloadDir: string; name: string } | null> {
    const r = await this.rpc.call<{ torrents?: unknown[] }>('torrent-get', {
      ids: [infoHash],
      fields: ['hashString', 'downloadDir', 'name'],
    });
    for (const t of r.torrents ?? []) {
      const o = t as Record<string, unknown>;
      if (
        o['hashString'] === infoHash &&
        typeof o['downloadDir'] === 'string' &&
        typeof o['name'] === 'string'
      )
        return { downloadDir: o['downloadDir'], name: o['name'] };
    }
    return null;
  }

  /** Moves the torrent's data to `dir` (the daemon moves the files, then reports `dir`). */
  setLocation(infoHash: string, dir: string): Promise<unknown> {
    return this.rpc.call('torrent-set-location', { ids: [infoHash], location: dir, move: true });
  }

  /** Removes the torrent; with `deleteData` its downloaded files too. */
  remove(infoHash: string, deleteData: boolean): Promise<unknown> {
    return this.rpc.call('torrent-remove', { ids: [infoHash], 'delete-local-data': deleteData });
  }

  reannounce(infoHash: string): Promise<unknown> {
    return this.rpc.call('torrent-reannounce', { ids: [infoHash] });
  }

  async peerPort(): Promise<number> {
    const r = await this.rpc.call<{ 'peer-port'?: unknown }>('session-get', {});
    const p = r['peer-port'];
    if (typeof p !== 'number') throw new TransferError('PROTOCOL', 'session-get: no peer-port');
    return p;
  }

  /** Sets session-wide settings (session-set), e.g. speed limits. */
  setSession(fields: Record<string, number | boolean>): Promise<unknown> {
    return this.rpc.call('session-set', fields);
  }
}
