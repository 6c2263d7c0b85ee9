/**
 * The rendezvous session table (pure: no I/O, time passed in). One entry per node id:
 * external endpoint (socket-observed, never from the payload), internal endpoints the node
 * reported, the bridge it hides behind (if any) and when it was last heard. Entries expire
 * after `ttlMs`. Every change of what peers need (new node, endpoint change, expiry) bumps a
 * table version, so nodes fetch deltas (`since(version)`) instead of the whole table; a
 * refresh that changes nothing costs no version. Bounded by `maxEntries` live entries and
 * as many tombstones.
 */
import { sameEp, type Endpoint } from '../lib/net/datagram.ts';
import type { TableEntry } from '../lib/wire/messages.ts';

export interface Session extends TableEntry {
  lastSeen: number;
}

function eqEp(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return (!a && !b) || sameEp(a, b);
}

export type Upsert = 'new' | 'changed' | 'same' | 'full';

export class SessionTable {
  private version = 0;
  private readonly byId = new Map<string, Session>();
  /** Every put in version order; an item is stale when its entry has a newer version. */
  private log: Session[] = [];
  private live = 0;

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  currentVersion(): number {
    return this.version;
  }

  size(): number {
    return this.live;
  }

  get(id: string): Session | undefined {
    const s = this.byId.get(id);
    return s && !s.gone ? s : undefined;
  }

  upsert(
    id: string,
    ext: Endpoint | undefined,
    internals: Endpoint[],
    via: string | undefined,
    now: number,
  ): Upsert {
    const old = this.get(id);
    if (old) {
      old.lastSeen = now;
      const same =
        eqEp(old.ext, ext) &&
        old.via === via &&
        old.internals.length === internals.length &&
        old.internals.every((e, i) => sameEp(e, internals[i]));
      if (same) return 'same';
    } else if (this.live >= this.maxEntries) return 'full';
    if (!old) this.live++;
    this.put({ id, ext, internals, via, gone: false, ver: 0, lastSeen: now });
    return old ? 'changed' : 'new';
  }

  /** Drop entries not heard for ttlMs (and children of dropped bridges); returns their ids. */
  expire(now: number): string[] {
    const dead: string[] = [];
    for (const s of this.byId.values()) if (!s.gone && now - s.lastSeen > this.ttlMs) dead.push(s.id);
    for (const id of dead) this.remove(id, now);
    return dead;
  }

  remove(id: string, now: number): void {
    const s = this.get(id);
    if (!s) return;
    this.live--;
    this.put({ ...s, ext: undefined, internals: [], via: undefined, gone: true, lastSeen: now });
    if (this.byId.size - this.live <= this.maxEntries) return;
    for (const t of this.byId.values()) {
      if (this.byId.size - this.live <= this.maxEntries / 2) break;
      if (t.gone) this.byId.delete(t.id);
    }
  }

  /** Up to `limit` entries changed after `version`, oldest change first; `more` if cut. */
  /**
   * Live entries changed after `version`, oldest change first: at most `limit`, and only as
   * many as `fits` takes (a table packet's byte budget: IPv6 entries are larger).
   */
  since(
    version: number,
    limit: number,
    fits: (page: Session[]) => number = (page) => page.length,
  ): { entries: Session[]; more: boolean; upTo: number } {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.ver > version) hi = mid;
      else lo = mid + 1;
    }
    const found: Session[] = [];
    for (let i = lo; i < this.log.length && found.length <= limit; i++) {
      const s = this.log[i]!;
      if (this.byId.get(s.id) === s) found.push(s);
    }
    const n = Math.max(1, fits(found.slice(0, limit)));
    if (n >= found.length) return { entries: found, more: false, upTo: this.version };
    const entries = found.slice(0, n);
    return { entries, more: true, upTo: entries[n - 1]!.ver };
  }

  /** Live entries, for tests and stats. */
  *entries(): IterableIterator<Session> {
    for (const s of this.byId.values()) if (!s.gone) yield s;
  }

  private put(s: Session): void {
    s.ver = ++this.version;
    this.byId.delete(s.id);
    this.byId.set(s.id, s);
    this.log.push(s);
    if (this.log.length > 2 * this.byId.size + 64)
      this.log = this.log.filter((x) => this.byId.get(x.id) === x);
  }
}
