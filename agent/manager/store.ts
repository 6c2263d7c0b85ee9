/**
 * The version store (lowdb over a durable JSON file, stateDir/store.json) and the
 * accepted torrent files (stateDir/torrents/<infohash>.torrent). The class only
 * serialises, loads and writes: every change is a pure function of the data
 * (store-data.ts). Updates are written before the caller goes on, so every decision the
 * manager acts on is on disk first. A corrupt or unreadable store stops start-up.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile, writeFileDurable } from './durable-json-file.ts';
import { EMPTY_STORE, type Refusal, type StoreData, type UriRecord } from './model.ts';
import { parseStoreText } from './store-check.ts';
import { withRefusal, withUri } from './store-data.ts';
import { StoreError } from './store-error.ts';

export const storePath = (stateDir: string): string => join(stateDir, 'store.json');

function ioError(what: string, cause: unknown): StoreError {
  if (cause instanceof StoreError) return cause;
  const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
  return new StoreError('STORE_IO', `${what}: ${code}`, { cause });
}

/** Reads the store without opening it for writing (p2p-update status). Null if none yet. */
export async function readStore(stateDir: string): Promise<StoreData | null> {
  const path = storePath(stateDir);
  try {
    return await new DurableJsonFile(path, parseStoreText).read();
  } catch (e) {
    throw ioError(`store ${path}: cannot read`, e);
  }
}

export class VersionStore {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: Low<StoreData>,
    private readonly torrentsDir: string,
  ) {}

  static async open(stateDir: string): Promise<VersionStore> {
    const path = storePath(stateDir);
    const torrentsDir = join(stateDir, 'torrents');
    const db = new Low<StoreData>(new DurableJsonFile(path, parseStoreText), EMPTY_STORE);
    try {
      await mkdir(torrentsDir, { recursive: true, mode: 0o700 });
      await db.read();
    } catch (e) {
      const err = ioError(`store ${path}: cannot read`, e);
      throw new StoreError(err.code, `${err.message} (refusing to start; the store is never reset)`, {
        cause: e,
      });
    }
    return new VersionStore(db, torrentsDir);
  }

  get data(): StoreData {
    return this.db.data;
  }

  uri(uri: string): UriRecord | undefined {
    return this.db.data.uris[uri];
  }

  /** Applies `fn` and writes the result; calls are serialised. */
  update(fn: (d: StoreData) => StoreData): Promise<StoreData> {
    const run = async (): Promise<StoreData> => {
      const next = fn(this.db.data);
      if (next === this.db.data) return next;
      this.db.data = next;
      await this.db.write().catch((e: unknown) => {
        throw ioError('store: cannot write', e);
      });
      return next;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  setUri(uri: string, rec: UriRecord): Promise<StoreData> {
    return this.update((d) => withUri(d, uri, rec));
  }

  addRefusal(r: Refusal): Promise<StoreData> {
    return this.update((d) => withRefusal(d, r));
  }

  torrentPath(infoHash: string): string {
    return join(this.torrentsDir, `${infoHash}.torrent`);
  }

  saveTorrent(infoHash: string, raw: Uint8Array): Promise<void> {
    return writeFileDurable(this.torrentPath(infoHash), raw).catch((e: unknown) => {
      throw ioError(`cannot write ${this.torrentPath(infoHash)}`, e);
    });
  }

  /** Infohashes of every accepted torrent still kept. */
  async torrentHashes(): Promise<string[]> {
    const names = await readdir(this.torrentsDir).catch((e: unknown) => {
      throw ioError(`cannot list ${this.torrentsDir}`, e);
    });
    return names.flatMap((n) => (/^[0-9a-f]{40}\.torrent$/.test(n) ? [n.slice(0, 40)] : []));
  }

  /** Forgets an accepted torrent (a superseded version, removed from the daemon). */
  removeTorrent(infoHash: string): Promise<void> {
    return rm(this.torrentPath(infoHash), { force: true }).catch((e: unknown) => {
      throw ioError(`cannot remove ${this.torrentPath(infoHash)}`, e);
    });
  }

  async loadTorrent(infoHash: string): Promise<Uint8Array> {
    try {
      return await readFile(this.torrentPath(infoHash));
    } catch (e) {
      throw ioError(`cannot read ${this.torrentPath(infoHash)}`, e);
    }
  }
}
