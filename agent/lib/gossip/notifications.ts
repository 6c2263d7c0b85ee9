/**
 * Notification dissemination state: dedup by id, fetch on demand, hand up, relay only what
 * the upper layer (the manager) verified. Lifecycle of an id:
 *   heard (announce/digest) → fetching → offered (onNotification called) → relayed | refused
 * Only `relayed` ids are announced and served; `refused` ids are remembered (never fetched
 * or spread again while in the seen cache); an `offered` id with no answer within
 * offerTimeoutMs is forgotten, so anti-entropy can offer it again (ipc.md: manager down).
 */
import { createHash } from 'node:crypto';
import type { Clock, Timer } from '../common/clock.ts';
import { BlobStore } from './blob-store.ts';
import { Fetcher, type FetcherInit } from './fetcher.ts';
import { CHUNK_SIZE, MAX_BLOB, type DigestEntry } from './messages.ts';
import { SeenCache } from './seen-cache.ts';

export type NotificationHandler = (id: string, bytes: Uint8Array, from: string) => void;

export interface NotificationsComponents {
  clock: Clock;
  requestChunk(peer: string, id: string, offset: number): void;
  sendChunk(peer: string, id: string, offset: number, total: number, data: Uint8Array | null): void;
  announce(entry: DigestEntry): void;
}

export interface NotificationsInit extends FetcherInit {
  maxUris: number;
  maxStoreBytes: number;
  seenCacheSize: number;
  offerTimeoutMs: number;
}

export class Notifications {
  readonly store: BlobStore;
  readonly seen: SeenCache;
  readonly fetcher: Fetcher;
  private readonly handlers: NotificationHandler[] = [];
  /** Offer-timeout timers (one per offered id; the seen cache bounds them). */
  private readonly offers = new Set<Timer>();
  counters = { offered: 0, relayed: 0, refused: 0, abandoned: 0, served: 0, stale: 0 };

  constructor(
    private readonly c: NotificationsComponents,
    private readonly init: NotificationsInit,
  ) {
    this.store = new BlobStore({ maxUris: init.maxUris, maxBytes: init.maxStoreBytes });
    this.seen = new SeenCache(init.seenCacheSize);
    this.fetcher = new Fetcher(
      {
        clock: c.clock,
        requestChunk: c.requestChunk,
        complete: (e, bytes, from) => this.offer(e, bytes, from),
        abandon: (id) => {
          this.counters.abandoned++;
          if (this.seen.get(id) === 'fetching') this.seen.delete(id);
        },
      },
      init,
    );
  }

  onNotification(h: NotificationHandler): void {
    this.handlers.push(h);
  }

  /** An announcement or digest entry from `from`, who holds the blob. */
  heard(e: DigestEntry, from: string): void {
    if (e.size <= 0 || e.size > MAX_BLOB) return;
    const state = this.seen.get(e.id);
    if (state === 'fetching') return void this.fetcher.want(e, from); // one more holder
    if (state !== undefined || this.store.get(e.id)) return;
    if (e.version <= this.store.version(e.uri)) return void this.counters.stale++;
    if (this.fetcher.want(e, from)) this.seen.set(e.id, 'fetching');
  }

  /** Serve a chunk of a relayed notification; "missing" if we do not hold it. */
  serve(from: string, id: string, offset: number): void {
    const h = this.store.get(id);
    if (!h || offset % CHUNK_SIZE !== 0 || offset >= h.bytes.length)
      return this.c.sendChunk(from, id, offset, h?.bytes.length ?? 0, null);
    this.counters.served++;
    this.c.sendChunk(from, id, offset, h.bytes.length, h.bytes.subarray(offset, offset + CHUNK_SIZE));
  }

  /** The upper layer verified `bytes` and accepts it: store, announce, serve. */
  relay(id: string, bytes: Uint8Array, hdr: { uri: string; version: number }): boolean {
    if (bytes.length === 0 || bytes.length > MAX_BLOB) return false;
    if (Buffer.byteLength(hdr.uri) > 255 || !Number.isSafeInteger(hdr.version) || hdr.version < 0)
      return false;
    if (createHash('sha256').update(bytes).digest('hex') !== id) return false;
    const entry = { id, uri: hdr.uri, version: hdr.version, size: bytes.length };
    if (!this.store.put({ ...entry, bytes })) return this.store.get(id) !== undefined;
    this.seen.set(id, 'relayed');
    this.counters.relayed++;
    this.c.announce(entry);
    return true;
  }

  /** The upper layer refused it (bad signature, rollback, ...): never fetch or spread it. */
  refuse(id: string): void {
    this.seen.set(id, 'refused');
    this.counters.refused++;
  }

  stop(): void {
    this.fetcher.stop();
    for (const t of this.offers) t.cancel();
    this.offers.clear();
  }

  digest(): DigestEntry[] {
    return this.store.entries().map(({ id, uri, version, size }) => ({ id, uri, version, size }));
  }

  private offer(e: DigestEntry, bytes: Uint8Array, from: string): void {
    this.seen.set(e.id, 'offered');
    this.counters.offered++;
    const t = this.c.clock.setTimeout(() => {
      this.offers.delete(t);
      if (this.seen.get(e.id) === 'offered') this.seen.delete(e.id);
    }, this.init.offerTimeoutMs);
    this.offers.add(t);
    for (const h of this.handlers) h(e.id, bytes, from);
  }
}
