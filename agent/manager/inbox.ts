/**
 * The inbox directory, watched with chokidar (files already there at start included).
 * An admin drops `X.torrent` and, on the node that holds it, the payload beside it
 * under the torrent's info.name. Names starting with "." are ignored (publish writes
 * there first and renames). An accepted (or duplicate) torrent file is removed, and with
 * it the payload that torrent names, once it was taken (accepted; or it matches the
 * duplicate's signed hash). A refused one goes to `refused/` (inbox-refused.ts) and
 * touches no other file: its info.name may be another update's waiting payload.
 */
import { watch, type FSWatcher } from 'chokidar';
import { stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../lib/common/logger.ts';
import { LIMITS } from '../lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../lib/metainfo/parse.ts';
import { checkPayload } from '../lib/metainfo/payload.ts';
import { keepRefused } from './inbox-refused.ts';
import type { Outcome } from './intake.ts';
import { readCapped } from './read-capped.ts';

export interface InboxComponents {
  readonly submit: (raw: Uint8Array, payload: string | undefined) => Promise<Outcome>;
  readonly log: Logger;
}

export class Inbox {
  private watcher: FSWatcher | null = null;
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly c: InboxComponents,
    private readonly init: { dir: string; settleMs: number },
  ) {}

  async start(): Promise<void> {
    if (this.watcher) return;
    const w = watch(this.init.dir, {
      depth: 0,
      ignoreInitial: false,
      ignored: (p: string) => p !== this.init.dir && basename(p).startsWith('.'),
      awaitWriteFinish: { stabilityThreshold: this.init.settleMs, pollInterval: 50 },
    });
    w.on('add', (path: string) => {
      if (!path.endsWith('.torrent')) return;
      const p = this.handle(path).finally(() => this.pending.delete(p));
      this.pending.add(p);
    });
    w.on('error', (e: unknown) => this.c.log.warn({ err: String(e) }, 'inbox watch error'));
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    this.watcher = w;
    this.c.log.info({ dir: this.init.dir }, 'inbox watching');
  }

  async stop(): Promise<void> {
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
    await this.settled();
  }

  /** Resolves once every file seen so far has been handled (its torrent and payload dealt with). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async handle(path: string): Promise<void> {
    const log = this.c.log.child({ file: basename(path) });
    try {
      // Read up to the cap + 1 byte: the verifier refuses an oversized file TOO_LARGE.
      const raw = await readCapped(path, LIMITS.maxMetadataBytes);
      let payload: string | undefined;
      try {
        const candidate = join(this.init.dir, parseTorrentPlusPlus(raw).info.name);
        if (
          await stat(candidate).then(
            (s) => s.isFile(),
            () => false,
          )
        )
          payload = candidate;
      } catch {
        // Not parseable: the submit below refuses it with the reason.
      }
      const o = await this.c.submit(raw, payload);
      log.info({ outcome: o.kind, payload: payload !== undefined }, 'inbox file handled');
      if (o.kind === 'refused') {
        await keepRefused(this.init.dir, path, `${o.code}: ${o.reason}`).catch((e: unknown) => {
          log.warn({ err: (e as Error).message }, 'refused torrent not moved; deleting it');
          return unlink(path).catch(() => undefined);
        });
        return;
      }
      await unlink(path).catch(() => undefined);
      if (payload === undefined) return;
      // Only the file this (verified) torrent names, and for a duplicate only its bytes.
      const own = join(this.init.dir, o.update.name);
      const taken =
        o.kind === 'accepted' ||
        (await checkPayload(own, o.update).then(
          () => true,
          () => false,
        ));
      if (taken) await unlink(own).catch(() => undefined);
    } catch (e) {
      log.error({ err: (e as Error).message }, 'inbox file not handled');
    }
  }
}
