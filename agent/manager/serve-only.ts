/**
 * Serve-only updates (issue 19 item 3), pure: an update this node refused for a reason of
 * its own (its clock says EXPIRED, no deployer here, ...) but whose signature verified is
 * still fetched and seeded when a LAN neighbour or bridge child works on it, since that
 * neighbour may have no other source. Never deployed; bytes are checked by piece hashes as
 * always. Bounded: at most `maxTorrents` served at once, `maxBytes` of them together, at
 * most 2 × maxBytes started in any window of `idleMs` (a neighbour that keeps switching
 * between versions cannot make the node fetch without end), and at most
 * max(MIN_CANDIDATES, 2 × maxTorrents) candidates remembered (oldest dropped). A served update nobody needed for `idleMs` is
 * let go, and at once when no neighbour needs it and a newer version of its URI is served.
 * Time is passed in; the adapter is serve-run.ts.
 */

/** Refusal codes that are this node's own business: a neighbour may well accept the update. */
export const OWN_REASONS: readonly string[] = ['EXPIRED', 'URI_NOT_ACCEPTED'];

export interface ServeLimits {
  readonly maxTorrents: number;
  readonly maxBytes: number;
  readonly idleMs: number;
}

export type ServeState = 'candidate' | 'serving' | 'blocked';

export interface ServeEntry {
  readonly uri: string;
  readonly version: number;
  readonly infoHash: string;
  readonly length: number;
  /** Why this node does not deploy it: the refusal code and its one line. */
  readonly code: string;
  readonly reason: string;
  readonly state: ServeState;
  /** When it was offered; when a neighbour last needed it (0: never). */
  readonly at: number;
  readonly neededAt: number;
  /** The neighbours (node ids) that needed it last; why it is blocked (limits). */
  readonly for: readonly string[];
  readonly note: string | null;
}

/** A fleet-view row, read defensively (natm's members reply, MemberView). */
export interface NeighbourRow {
  readonly id: string;
  readonly self: boolean;
  readonly status: string;
  readonly path: string | null;
  readonly external: { address: string } | null;
  readonly current: { uri: string; version: number; state: string } | null;
}

const WORKING = new Set(['verified', 'downloading']);

/**
 * A LAN neighbour, bridge child or bridge: reached directly and, when both it and we have a
 * public address, the same one (behind the same NAT or firewall). A bridge child has none;
 * its bridge has one, which the child may or may not have heard of (the bridge passes its
 * rendezvous table on): either way the bridge is the child's neighbour, so the relation is
 * the same seen from both ends.
 */
export function isNeighbour(m: NeighbourRow, ourExternal: string | null): boolean {
  if (m.self || m.path !== 'direct' || (m.status !== 'alive' && m.status !== 'suspect')) return false;
  return m.external === null || ourExternal === null || m.external.address === ourExternal;
}

/** `dropped`: entries forgotten to make room (their torrent files can go). */
export type Offer =
  | { readonly kind: 'held'; readonly dropped: readonly ServeEntry[] }
  | { readonly kind: 'refused'; readonly reason: string };

/** Candidates remembered at least (also with maxTorrents 0: a neighbour's need is then reported, not_serving). */
export const MIN_CANDIDATES = 4;

export interface Plan {
  /** Start fetching and seeding these. */
  readonly start: ServeEntry[];
  /** Remove these from the daemon (idle, superseded). */
  readonly stop: ServeEntry[];
  /** Newly blocked by a limit (logged once each). */
  readonly blocked: ServeEntry[];
}

export class ServeBook {
  private readonly map = new Map<string, ServeEntry>();
  /** Starts within the last idleMs: when, how many bytes. */
  private starts: { at: number; length: number }[] = [];

  constructor(
    private readonly limits: ServeLimits,
    entries: readonly ServeEntry[] = [],
  ) {
    for (const e of entries) this.map.set(e.infoHash, e);
  }

  entries(): ServeEntry[] {
    return [...this.map.values()];
  }

  get(infoHash: string): ServeEntry | undefined {
    return this.map.get(infoHash);
  }

  /** Anything to watch the fleet for. */
  get waiting(): boolean {
    return this.map.size > 0;
  }

  private servedBytes(): number {
    let n = 0;
    for (const e of this.map.values()) if (e.state === 'serving') n += e.length;
    return n;
  }

  private served(): number {
    return [...this.map.values()].filter((e) => e.state === 'serving').length;
  }

  /** A refused update whose signature verified. Bigger than every byte allowed: refused at once. */
  offer(e: Omit<ServeEntry, 'state' | 'neededAt' | 'for' | 'note'>): Offer {
    if (!OWN_REASONS.includes(e.code))
      return { kind: 'refused', reason: `${e.code} is no reason of this node's own` };
    if (e.length > this.limits.maxBytes)
      return {
        kind: 'refused',
        reason: `its ${e.length} bytes exceed serveOnly.maxBytes ${this.limits.maxBytes}`,
      };
    if (this.map.has(e.infoHash)) return { kind: 'held', dropped: [] };
    this.map.set(e.infoHash, { ...e, state: 'candidate', neededAt: 0, for: [], note: null });
    const cap = Math.max(MIN_CANDIDATES, 2 * this.limits.maxTorrents);
    const candidates = [...this.map.values()].filter((x) => x.state !== 'serving');
    const dropped = candidates.slice(0, Math.max(0, candidates.length - cap));
    for (const x of dropped) this.map.delete(x.infoHash);
    return { kind: 'held', dropped };
  }

  /** Called when an entry leaves the daemon for another reason (the node accepted a newer one). */
  forget(infoHash: string): void {
    this.map.delete(infoHash);
  }

  /** One fleet view: which entries start, stop (idle or superseded) or hit a limit. */
  plan(rows: readonly NeighbourRow[], ourExternal: string | null, now: number): Plan {
    const out: Plan = { start: [], stop: [], blocked: [] };
    const need = new Map<string, string[]>();
    for (const m of rows) {
      const c = m.current;
      if (!c || !WORKING.has(c.state) || !isNeighbour(m, ourExternal)) continue;
      const k = `${c.uri}\n${c.version}`;
      need.set(k, [...(need.get(k) ?? []), m.id]);
    }
    for (const e of [...this.map.values()].sort((a, b) => a.at - b.at)) {
      const who = need.get(`${e.uri}\n${e.version}`) ?? [];
      if (e.state === 'serving') {
        const newer = [...this.map.values()].some(
          (x) => x.uri === e.uri && x.version > e.version && x.state === 'serving',
        );
        const neededAt = who.length > 0 ? now : e.neededAt;
        if ((newer && who.length === 0) || now - neededAt > this.limits.idleMs) {
          this.map.delete(e.infoHash);
          out.stop.push(e);
        } else this.map.set(e.infoHash, { ...e, neededAt, for: who.length > 0 ? who : e.for });
        continue;
      }
      if (who.length === 0) continue;
      this.starts = this.starts.filter((x) => now - x.at <= this.limits.idleMs);
      const recent = this.starts.reduce((n, x) => n + x.length, 0);
      const full =
        this.served() >= this.limits.maxTorrents
          ? `already serving serveOnly.maxTorrents ${this.limits.maxTorrents} updates`
          : this.servedBytes() + e.length > this.limits.maxBytes
            ? `${e.length} more bytes would exceed serveOnly.maxBytes ${this.limits.maxBytes}`
            : recent + e.length > 2 * this.limits.maxBytes
              ? `started ${recent} bytes within serveOnly.idleMs already (at most twice maxBytes)`
              : null;
      if (full !== null) {
        if (e.state !== 'blocked') out.blocked.push({ ...e, note: full });
        this.map.set(e.infoHash, { ...e, state: 'blocked', for: who, note: full });
        continue;
      }
      const s: ServeEntry = { ...e, state: 'serving', neededAt: now, for: who, note: null };
      this.map.set(e.infoHash, s);
      this.starts.push({ at: now, length: e.length });
      out.start.push(s);
    }
    return out;
  }
}
