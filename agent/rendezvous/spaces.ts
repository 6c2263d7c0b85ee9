/**
 * The rendezvous's session tables, one per namespace, and who may fill them (pure: time
 * passed in). Every session is charged to the source address prefix it registered from
 * (a bridge's children to the bridge's): a registration proves only that its sender
 * receives at that address (the server checks that first), since a key costs nothing.
 * - a source holds at most `sessionsPerSource` sessions: beyond, its own least recently
 *   refreshed session makes room (a flood from one address displaces only itself);
 * - a source holds sessions in at most `namespacesPerSource` namespaces (`drop_namespaces_per_source`);
 * - when `maxNamespaces` are live, a new namespace displaces the sessions of the source
 *   holding sessions in the most namespaces, in its least recently refreshed one, if that
 *   source holds at least two more namespaces than the newcomer's (`namespaces_displaced`);
 *   else `drop_namespaces_full`. So a new cluster gets in unless every namespace is held by
 *   a different address (1,024 by default, each of which proved it receives);
 * - when `maxSessions` are held, a newcomer displaces the least recently refreshed session
 *   of the source holding the most, if that holds at least two more than the newcomer's
 *   source (ties keep the incumbents); else
 *   `drop_table_full` (max-min fairness over sources: no source or namespace locks out others);
 * - a namespace is removed when its last session goes (expired, displaced or moved), so
 *   `maxNamespaces` counts live ones only.
 * A displaced session becomes a tombstone pushed to its namespace, like an expired one.
 */
import type { Counters } from '../lib/net/counters.ts';
import type { Endpoint } from '../lib/net/datagram.ts';
import { FairShare } from '../lib/net/fair-share.ts';
import { MAX_ENTRIES } from '../lib/wire/messages.ts';
import type { RendezvousConfig } from './config.ts';
import { type Session, SessionTable, type Upsert } from './session-table.ts';

/** One cluster's part of the server: its session table and the changes not yet pushed. */
export interface Space {
  readonly ns: string;
  readonly table: SessionTable;
  readonly pending: Map<string, Session>;
}

type Limits = Pick<
  RendezvousConfig,
  | 'maxSessions'
  | 'sessionTtlMs'
  | 'maxNamespaces'
  | 'namespaces'
  | 'sessionsPerSource'
  | 'namespacesPerSource'
>;

export class Spaces {
  private readonly spaces = new Map<string, Space>();
  /** Node id → the namespace it registered in (a node lives in one at a time). */
  private readonly nsOf = new Map<string, string>();
  /** Node id → the source it is charged to, least recently refreshed first. */
  private readonly holders = new FairShare();
  /** Source → the namespaces it holds sessions in ("source\nns"), least recently refreshed first. */
  private readonly held = new FairShare();
  /** "source\nns" → how many sessions the source holds there. */
  private readonly heldCount = new Map<string, number>();

  constructor(
    private readonly cfg: Limits,
    private readonly counters: Counters,
  ) {}

  get(ns: string): Space | undefined {
    return this.spaces.get(ns);
  }

  /** The space `id` registered in, if it is live there. */
  of(id: string): Space | undefined {
    const ns = this.nsOf.get(id);
    return ns === undefined ? undefined : this.spaces.get(ns);
  }

  all(): IterableIterator<Space> {
    return this.spaces.values();
  }

  /** Live namespaces. */
  get namespaces(): number {
    return this.spaces.size;
  }

  /** Live sessions in all namespaces. */
  get sessions(): number {
    return this.holders.size;
  }

  /** Puts `id` into namespace `ns`, charged to `source`; null (counted) if refused. */
  join(
    ns: string,
    id: string,
    at: { ext?: Endpoint; internals: Endpoint[]; via?: string },
    source: string,
    now: number,
  ): Upsert | null {
    const sp = this.space(ns, source, now);
    if (!sp) return null;
    const moved = !!sp.table.get(id) && this.holders.sourceOf(id) !== source;
    if (!sp.table.get(id) || moved) {
      // New here, or from another source (it counts there now): one namespace at a time.
      if (this.nsOf.get(id) !== undefined && !moved) this.remove(id, now);
      if (moved) this.forget(id);
      if (!this.room(source, now)) {
        if (moved) this.tombstone(sp, id, now);
        if (sp.table.size() === 0) this.spaces.delete(ns); // made for this refused one
        return (this.counters.inc('drop_table_full'), null);
      }
      this.spaces.set(ns, sp); // making room may have emptied (and removed) this very namespace
    }
    const r = sp.table.upsert(id, at.ext, at.internals, at.via, now);
    if (r === 'full') return (this.counters.inc('drop_table_full'), null);
    if (!this.holders.has(id)) {
      this.holders.add(source, id);
      this.charge(source, ns, +1);
      this.nsOf.set(id, ns);
    } else {
      this.holders.touch(id);
      this.held.touch(pair(source, ns));
    }
    if (r !== 'same') this.changed(sp, id);
    return r;
  }

  /** Drops `id`'s session (a tombstone for its namespace); the namespace goes with its last one. */
  remove(id: string, now: number): void {
    const sp = this.of(id);
    this.forget(id);
    if (sp) this.tombstone(sp, id, now);
  }

  private tombstone(sp: Space, id: string, now: number): void {
    if (sp.table.get(id)) sp.table.remove(id, now);
    this.changed(sp, id);
    if (sp.table.size() === 0) this.spaces.delete(sp.ns);
  }

  expire(now: number): void {
    for (const sp of [...this.spaces.values()]) {
      for (const id of sp.table.expire(now)) {
        this.forget(id);
        this.changed(sp, id);
      }
      if (sp.table.size() === 0) this.spaces.delete(sp.ns);
    }
  }

  /** The space of `ns`, made on first use; null (counted) if refused or too many. */
  private space(ns: string, source: string, now: number): Space | null {
    const have = this.spaces.get(ns);
    if (!this.held.has(pair(source, ns)) && this.held.count(source) >= this.cfg.namespacesPerSource)
      return (this.counters.inc('drop_namespaces_per_source'), null);
    if (have) return have;
    if (this.cfg.namespaces.length && !this.cfg.namespaces.includes(ns))
      return (this.counters.inc('drop_namespace_refused'), null);
    if (this.spaces.size >= this.cfg.maxNamespaces && !this.freeNamespace(source, now))
      return (this.counters.inc('drop_namespaces_full'), null);
    const sp: Space = {
      ns,
      table: new SessionTable(this.cfg.maxSessions, this.cfg.sessionTtlMs),
      pending: new Map(),
    };
    this.spaces.set(ns, sp);
    return sp;
  }

  /** Room for one more session of `source`, displacing per the rules above; false if none. */
  private room(source: string, now: number): boolean {
    const mine = this.holders.count(source);
    if (mine >= this.cfg.sessionsPerSource) return this.displace(source, now);
    if (this.holders.size < this.cfg.maxSessions) return true;
    const largest = this.holders.largest();
    if (largest === undefined || (largest !== source && this.holders.count(largest) <= mine + 1))
      return false;
    return this.displace(largest, now);
  }

  /** Displaces the sessions of the source holding the most namespaces in its stalest one; true if that namespace went. */
  private freeNamespace(source: string, now: number): boolean {
    const largest = this.held.largest();
    if (largest === undefined || largest === source) return false;
    if (this.held.count(largest) < this.held.count(source) + 2) return false;
    const [, ns] = unpair(this.held.oldest(largest)!);
    for (const id of [...this.holders.items(largest)]) if (this.nsOf.get(id) === ns) this.remove(id, now);
    this.counters.inc('namespaces_displaced');
    return !this.spaces.has(ns);
  }

  private displace(source: string, now: number): boolean {
    const id = this.holders.oldest(source);
    if (id === undefined) return false;
    this.remove(id, now);
    this.counters.inc('sessions_displaced');
    return true;
  }

  private forget(id: string): void {
    const source = this.holders.sourceOf(id);
    const ns = this.nsOf.get(id);
    this.holders.delete(id);
    this.nsOf.delete(id);
    if (source !== undefined && ns !== undefined) this.charge(source, ns, -1);
  }

  private charge(source: string, ns: string, by: number): void {
    const key = pair(source, ns);
    const n = (this.heldCount.get(key) ?? 0) + by;
    if (n > 0) {
      this.heldCount.set(key, n);
      if (!this.held.has(key)) this.held.add(source, key);
    } else {
      this.heldCount.delete(key);
      this.held.delete(key);
    }
  }

  /** Queues `id`'s current entry (or its tombstone) for the next push of its namespace. */
  private changed(sp: Space, id: string): void {
    const s = sp.table.get(id) ?? {
      id,
      internals: [],
      gone: true,
      ver: sp.table.currentVersion(),
      lastSeen: 0,
    };
    sp.pending.delete(id);
    sp.pending.set(id, s);
    if (sp.pending.size > MAX_ENTRIES) sp.pending.delete(sp.pending.keys().next().value!);
  }
}

const pair = (source: string, ns: string) => `${source}\n${ns}`;
const unpair = (key: string) => key.split('\n') as [string, string];
