/**
 * The forced rechoke (levers memo §1, lever R): the manager's own tiny torrent
 * (agent/lib/transmission/tiny-torrent.ts), added stopped once per daemon, is started
 * and stopped again for each pulse. Starting it makes 3.00 run its choke/interest pass
 * for every torrent before the RPC answers, and 4.1 within 100 ms. The torrent is found
 * again by name after a restart of either process; one in error (data gone) is replaced.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../lib/common/logger.ts';
import type { ListedTorrent } from '../../lib/transmission/client.ts';
import { TINY_BYTES, TINY_LABEL, TINY_NAME, tinyTorrent } from '../../lib/transmission/tiny-torrent.ts';

export interface PulserPort {
  list(): Promise<ListedTorrent[]>;
  add(metainfo: Uint8Array, downloadDir: string, opts: { paused: boolean }): Promise<unknown>;
  setLabels(infoHash: string, labels: readonly string[]): Promise<unknown>;
  startNow(infoHash: string): Promise<unknown>;
  stop(infoHash: string): Promise<unknown>;
  remove(infoHash: string, deleteData: boolean): Promise<unknown>;
}

/** Where the tiny torrent's data lives: a directory of its own in the download dir. */
export function tinyDir(downloadDir: string): string {
  return join(downloadDir, `.${TINY_NAME}`);
}

export class RechokePulser {
  private hash: string | null = null;
  pulses = 0;

  constructor(private readonly c: { tx: PulserPort; log: Logger; downloadDir: string }) {}

  /** The tiny torrent's info-hash, adding it (stopped) if the daemon has none usable. */
  async ensure(): Promise<string> {
    if (this.hash !== null) return this.hash;
    const mine = (await this.c.tx.list()).filter((t) => t.name === TINY_NAME);
    const good = mine.find((t) => t.error !== 3);
    for (const t of mine) if (t !== good) await this.c.tx.remove(t.hashString, false); // its file is rewritten below
    if (good) {
      if (good.status !== 0) await this.c.tx.stop(good.hashString);
      return (this.hash = good.hashString);
    }
    const t = tinyTorrent(randomBytes(TINY_BYTES));
    const dir = tinyDir(this.c.downloadDir);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, TINY_NAME), t.data);
    await this.c.tx.add(t.metainfo, dir, { paused: true });
    await this.c.tx.setLabels(t.infoHash, [TINY_LABEL]);
    this.c.log.info({ infoHash: t.infoHash }, 'rechoke torrent added');
    return (this.hash = t.infoHash);
  }

  /** One forced rechoke pass on the daemon. */
  async pulse(): Promise<void> {
    const h = await this.ensure();
    try {
      await this.c.tx.startNow(h);
      await this.c.tx.stop(h);
      this.pulses++;
    } catch (e) {
      this.hash = null; // look it up again next time (removed by hand, daemon restarted empty)
      throw e;
    }
  }
}
