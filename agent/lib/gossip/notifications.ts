/**
 * Notification dissemination state: dedup by id, fetch on demand, hand up, relay only what
 * the upper layer (the manager) verified. Lifecycle of an id:
 *   heard (announce/digest) → fetching → offered (onNotification called) → relayed | refused
 * Only `relayed` ids are announced and served; `refused` ids are remembered (never fetched
 * or spread again while in the seen cache); an `offered` id with no answer within
 * offerTimeoutMs is forgotten, so anti-entropy can offer it again (ipc.md: manager down).
 * Until then natm keeps its bytes (at most maxStoreBytes in all, oldest dropped first) and
 * `reoffer` hands every unanswered offer up again: natm calls it when a manager says hello,
 * so a manager that (re)connects gets what arrived while it was away at once, not after
 * offerTimeoutMs plus an anti-entropy round (a restarted natm or manager was deaf ~65 s).
 * The newest *verified* version wins: a relay drops fetches of older versions of its URI;
 * an announcement alone never does (fetcher.ts). A notification the manager refuses as
 * forged (FORGED_CODES) is a strike against the holder that served it; one it verified
 * takes a strike away.
 */
import { createHash } from 'node:crypto';
import type { Clock, Timer } from '../common/clock.ts';
import { BlobStore } from './blob-store.ts';
import { Fetcher, type FetcherInit } from './fetcher.ts';
import { CHUNK_SIZE, MAX_BLOB, type DigestEntry } from './messages.ts';
import { SeenCache } from './seen-cache.ts';

/** Refusal codes (manager verdicts) no honest holder causes: it relays only what its manager accepted. */
export const FORGED_CODES: ReadonlySet<string> = new Set([
  'MALFORMED',
  'TOO_LARGE',
  'UNKNOWN_SIGNER',
  'BAD_SIGNATURE',
  'BAD_CONTROL',
]);

interface Offer {
  readonly timer: Timer;
  readonly from: string;
  bytes: Uint8Array | undefined;
}

export type NotificationHandler = (id: string, bytes: Uint8Array, from: string) => void;

export interface NotificationsComponents {
  clock: Clock;
  requestChunk(peer: string, id: string, offset: number): void;
  /** First chunk timeout before a holder answered (fetch-attempt.ts). */
  firstRto?(): number;
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
  /**
   * Offered ids, oldest first: the offer-timeout timer, the holder that served it and, for
   * `reoffer`, the bytes (each lives offerTimeoutMs; bytes bounded by maxStoreBytes in all).
   */
  private readonly offers = new Map<string, Offer>();
  private offeredBytes = 0;
  counters = { offered: 0, relayed: 0, refused: 0, abandoned: 0, served: 0, stale: 0, reoffered: 0 };

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
        firstRto: c.firstRto,
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
    const from = this.settle(id);
    if (from !== undefined) this.fetcher.forgive(from);
    this.fetcher.supersede(hdr.uri, hdr.version);
    this.c.announce(entry);
    return true;
  }

  /**
   * The upper layer refused it (bad signature, rollback, ...): never fetch or spread it.
   * With a code no honest holder causes (FORGED_CODES), the holder that served it is penalized.
   */
  refuse(id: string, code?: string): void {
    this.seen.set(id, 'refused');
    this.counters.refused++;
    const from = this.settle(id);
    if (from !== undefined && code !== undefined && FORGED_CODES.has(code)) this.fetcher.strike(from);
  }

  stop(): void {
    this.fetcher.stop();
    for (const o of this.offers.values()) o.timer.cancel();
    this.offers.clear();
    this.offeredBytes = 0;
  }

  digest(): DigestEntry[] {
    return this.store.entries().map(({ id, uri, version, size }) => ({ id, uri, version, size }));
  }

  /** Hands every offer still unanswered up again (a manager said hello); how many. */
  reoffer(): number {
    let n = 0;
    for (const [id, o] of [...this.offers]) {
      if (!o.bytes || this.seen.get(id) !== 'offered') continue;
      n++;
      this.counters.reoffered++;
      for (const h of this.handlers) h(id, o.bytes, o.from);
    }
    return n;
  }

  private offer(e: DigestEntry, bytes: Uint8Array, from: string): void {
    this.seen.set(e.id, 'offered');
    this.counters.offered++;
    this.settle(e.id);
    const timer = this.c.clock.setTimeout(() => {
      this.settle(e.id);
      if (this.seen.get(e.id) === 'offered') this.seen.delete(e.id);
    }, this.init.offerTimeoutMs);
    this.offers.set(e.id, { timer, from, bytes });
    this.offeredBytes += bytes.length;
    for (const o of this.offers.values()) {
      if (this.offeredBytes <= this.init.maxStoreBytes) break;
      this.offeredBytes -= o.bytes?.length ?? 0;
      o.bytes = undefined; // over the budget: the oldest is offered again by anti-entropy only
    }
    for (const h of this.handlers) h(e.id, bytes, from);
  }

  /** The offer of `id` is answered (or timed out): stop its timer; returns who served it. */
  private settle(id: string): string | undefined {
    const o = this.offers.get(id);
    o?.timer.cancel();
    this.offers.delete(id);
    this.offeredBytes -= o?.bytes?.length ?? 0;
    return o?.from;
  }
}
