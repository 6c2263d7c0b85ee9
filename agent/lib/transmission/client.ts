/**
 * The few Transmission calls the manager makes, typed. Torrents are named by their
 * info-hash string, which both 3.00 and 4.x accept as an id.
 */
import { daemonTraits, type DaemonTraits } from './daemon-traits.ts';
import { TransferError } from './errors.ts';
import { asProgress, PROGRESS_FIELDS, type TorrentProgress } from './progress.ts';
import { TransmissionRpc, type RpcInit } from './rpc.ts';
import { asSwarmView, SWARM_FIELDS, type SwarmView } from './swarm-view.ts';

export type AddResult = 'added' | 'duplicate';

/** One row of the daemon's whole list (`torrent-get` without ids). */
export interface ListedTorrent {
  readonly hashString: string;
  readonly name: string;
  readonly status: number;
  readonly error: number;
}

export class TransmissionClient {
  private readonly rpc: TransmissionRpc;
  private known: DaemonTraits | null = null;

  constructor(init: RpcInit) {
    this.rpc = new TransmissionRpc(init);
  }

  /** The daemon's version and what follows from it (asked once; a restart keeps the package). */
  async traits(): Promise<DaemonTraits> {
    if (this.known) return this.known;
    const r = await this.rpc.call<{ version?: unknown; 'rpc-version'?: unknown }>('session-get', {});
    const version = typeof r.version === 'string' ? r.version : '';
    const rpcVersion = typeof r['rpc-version'] === 'number' ? r['rpc-version'] : 0;
    if (version === '' || rpcVersion === 0)
      throw new TransferError('PROTOCOL', 'session-get: no version or rpc-version');
    this.known = daemonTraits(version, rpcVersion);
    return this.known;
  }

  /** Adds by metainfo; re-adding a torrent the daemon has is not an error ("duplicate"). */
  async add(metainfo: Uint8Array, downloadDir: string, opts: { paused?: boolean } = {}): Promise<AddResult> {
    const r = await this.rpc.call('torrent-add', {
      metainfo: Buffer.from(metainfo).toString('base64'),
      'download-dir': downloadDir,
      paused: opts.paused === true,
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

  /**
   * Makes sure the torrent announces to `url` (an older add may carry another port).
   * 4.x: one `trackerList` edit, then a reannounce, because 4.1 schedules no announce
   * after an edit (levers memo §2); 3.00: remove and add (an edit announces at once).
   */
  async ensureTracker(t: TorrentProgress, url: string): Promise<void> {
    if (t.trackers.some((x) => x.announce === url)) return;
    if ((await this.traits()).trackerList) {
      await this.rpc.call('torrent-set', { ids: [t.hashString], trackerList: url });
      await this.reannounce(t.hashString);
      return;
    }
    const stale = t.trackers.map((x) => x.id);
    if (stale.length > 0) await this.rpc.call('torrent-set', { ids: [t.hashString], trackerRemove: stale });
    await this.rpc.call('torrent-set', { ids: [t.hashString], trackerAdd: [url] });
  }

  start(infoHash: string): Promise<unknown> {
    return this.rpc.call('torrent-start', { ids: [infoHash] });
  }

  /** Starts a stopped torrent past the daemon's queue (a running one is left as it is). */
  startNow(infoHash: string): Promise<unknown> {
    return this.rpc.call('torrent-start-now', { ids: [infoHash] });
  }

  setLabels(infoHash: string, labels: readonly string[]): Promise<unknown> {
    return this.rpc.call('torrent-set', { ids: [infoHash], labels });
  }

  /** A per-torrent upload limit in kB/s (1000 bytes), or null to lift it. */
  setUploadLimit(infoHash: string, kBps: number | null): Promise<unknown> {
    return this.rpc.call(
      'torrent-set',
      kBps === null
        ? { ids: [infoHash], uploadLimited: false }
        : { ids: [infoHash], uploadLimited: true, uploadLimit: kBps },
    );
  }

  /** Every torrent the daemon holds (name, status, error). */
  async list(): Promise<ListedTorrent[]> {
    const r = await this.rpc.call<{ torrents?: unknown[] }>('torrent-get', {
      fields: ['hashString', 'name', 'status', 'error'],
    });
    return (r.torrents ?? []).flatMap((v) => {
      const o = v as Record<string, unknown>;
      const ok =
        typeof o['hashString'] === 'string' &&
        typeof o['name'] === 'string' &&
        typeof o['status'] === 'number' &&
        typeof o['error'] === 'number';
      return ok ? [o as unknown as ListedTorrent] : [];
    });
  }

  /** The torrents among `infoHashes` the daemon has, with their connected peers. */
  async swarm(infoHashes: readonly string[]): Promise<SwarmView[]> {
    if (infoHashes.length === 0) return [];
    const r = await this.rpc.call<{ torrents?: unknown[] }>('torrent-get', {
      ids: [...infoHashes],
      fields: SWARM_FIELDS,
    });
    return (r.torrents ?? []).flatMap((v) => asSwarmView(v) ?? []);
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
