/**
 * The inbox directory, watched with chokidar (files already there at start included).
 * An admin drops `X.torrent` (or a root chain `X.root`, a rollout control message `X.control`) and, on the node that holds it, the payload beside it
 * under the torrent's info.name. Names starting with "." are ignored (publish writes
 * there first and renames). A file is looked at once it has not grown for `settleMs`,
 * and again after every change; files are handled one at a time, in arrival order.
 *
 * A copy may pause longer than that (scp over a slow link, a USB stick). A torrent that
 * ends inside a bencode value (inbox-torrent.ts) and a payload shorter than its accepted
 * torrent says (inbox-payload.ts) are kept: looked at again on every change, and only
 * once unchanged for `incompleteMs` is the torrent refused as truncated (the payload is
 * left where it is and logged). A proper prefix of a bencode dict never parses, so a
 * torrent cannot be taken half-written; a payload is only ever used whole, by its hash.
 */
import { watch, type FSWatcher } from 'chokidar';
import { basename } from 'node:path';
import { handlePayload } from './inbox-payload.ts';
import type { InboxComponents } from './inbox-ports.ts';
import { handleTorrent } from './inbox-torrent.ts';

export interface InboxInit {
  readonly dir: string;
  /** A file is looked at once its size has been stable this long (chokidar awaitWriteFinish). */
  readonly settleMs: number;
  /** An incomplete file is kept until unchanged this long (config `inboxIncompleteMs`). */
  readonly incompleteMs: number;
}

export class Inbox {
  private watcher: FSWatcher | null = null;
  private tail: Promise<void> = Promise.resolve();
  /** Paths waiting in the queue → whether it is the look after `incompleteMs` of quiet. */
  private readonly queued = new Map<string, boolean>();
  /** Incomplete files, each with the timer of its final look. */
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly c: InboxComponents,
    private readonly init: InboxInit,
  ) {}

  async start(): Promise<void> {
    if (this.watcher) return;
    const w = watch(this.init.dir, {
      depth: 0,
      ignoreInitial: false,
      ignored: (p: string) => p !== this.init.dir && basename(p).startsWith('.'),
      awaitWriteFinish: { stabilityThreshold: this.init.settleMs, pollInterval: 50 },
    });
    const changed = (path: string): void => {
      this.unhold(path);
      this.enqueue(path, false);
    };
    w.on('add', changed);
    w.on('change', changed);
    w.on('unlink', (path: string) => this.unhold(path));
    w.on('error', (e: unknown) => this.c.log.warn({ err: String(e) }, 'inbox watch error'));
    this.watcher = w;
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    this.c.log.info({ dir: this.init.dir }, 'inbox watching');
  }

  async stop(): Promise<void> {
    const w = this.watcher;
    this.watcher = null;
    for (const path of [...this.timers.keys()]) this.unhold(path);
    await w?.close();
    await this.settled();
  }

  /** Resolves once every file seen so far has been handled (kept ones included: looked at). */
  async settled(): Promise<void> {
    for (let t = this.tail; ; t = this.tail) {
      await t;
      if (t === this.tail) return;
    }
  }

  /** Names of the files kept because they may still be growing. */
  holding(): string[] {
    return [...this.timers.keys()].map((p) => basename(p)).sort();
  }

  private enqueue(path: string, final: boolean): void {
    const before = this.queued.get(path);
    this.queued.set(path, before === undefined ? final : before && final);
    if (before !== undefined) return; // already waiting its turn: one look covers both
    this.tail = this.tail.then(async () => {
      const last = this.queued.get(path) === true;
      this.queued.delete(path);
      if (this.watcher) await this.look(path, last);
    });
  }

  private async look(path: string, final: boolean): Promise<void> {
    this.unhold(path);
    const x = { dir: this.init.dir, c: this.c, recheck: (p: string) => this.enqueue(p, false) };
    try {
      const keep = /\.(torrent|root|control)$/.test(path)
        ? await handleTorrent(x, path, final)
        : await handlePayload(x, path, final);
      if (keep && this.watcher) {
        const timer = setTimeout(() => {
          this.timers.delete(path);
          this.enqueue(path, true);
        }, this.init.incompleteMs);
        this.timers.set(path, timer);
      }
    } catch (e) {
      this.c.log.error({ file: basename(path), err: (e as Error).message }, 'inbox file not handled');
    }
  }

  private unhold(path: string): void {
    clearTimeout(this.timers.get(path));
    this.timers.delete(path);
  }
}
