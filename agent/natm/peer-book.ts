/**
 * What a node knows about its peers, and the path classification (pure; time passed in).
 *
 * - direct:  a working endpoint that is one of the peer's own addresses (same LAN, or a
 *            peer without NAT), or a bridge/child link on the LAN;
 * - punched: a working endpoint that is the peer's NAT mapping, opened by hole punching;
 * - bridged: no working endpoint, but the peer sits behind a bridge we can reach (or we
 *            are a bridge child and our bridge is up);
 * - relayed: no working endpoint, but a live rendezvous knows the peer;
 * - null:    none of these.
 * A working endpoint is one we heard an authenticated packet from within pathTimeoutMs.
 *
 * Admission (bounded by `maxPeers`): a peer proven by a credential (`setProven`: a
 * certificate session, from SecureOverlay; in cluster-key mode the key itself) is always
 * admitted first and never displaced by an unproven one. Unproven peers are charged to the
 * source that brought them (an address prefix, or the bridge/relay that named them;
 * lib/net/fair-share.ts): at most `perSource` each (a source at its quota displaces its own
 * oldest); when the book is full, a newcomer displaces the oldest peer of the source that
 * holds the most unproven peers, if that holds at least two more than its own source (ties
 * keep the incumbents: sources of one peer each never churn each other out); else it is
 * refused (counted by the caller). Displaced peers are counted through `onEvict`.
 * Peer records change only through the book's methods.
 */
import { sameEp, type Endpoint } from '../lib/net/datagram.ts';
import { FairShare } from '../lib/net/fair-share.ts';
import type { PathType, PeerView } from '../lib/net/overlay-link.ts';

export interface PeerState {
  readonly id: string;
  /** Who brought it (fair-share.ts sourceKey, or "via:ID"/"rdv:N"/"bridge"): its admission quota. */
  readonly source: string;
  ext?: Endpoint;
  internals: Endpoint[];
  via?: string; // bridge node id (from a rendezvous table)
  rdvs: Set<number>; // indexes of rendezvous servers whose table lists the peer
  ep?: Endpoint; // working endpoint (last authenticated source)
  epHeard: number;
  lastSeen: number;
  lastIntro: number;
  lan: boolean; // bridge child, or our bridge: a LAN link
  shown?: string; // last emitted view, for change detection
}

export interface Liveness {
  now: number;
  pathTimeoutMs: number;
  rdvAlive(i: number): boolean;
  /** True when we are a bridge child and our bridge answers. */
  bridgeUp: boolean;
}

/** Where a rendezvous table (or a bridge) says a peer is. */
export interface PeerPlace {
  ext?: Endpoint;
  internals: Endpoint[];
  via?: string;
}

export interface PeerBookInit {
  maxPeers: number;
  /** Unproven peers one source may bring (default maxPeers). */
  perSource?: number;
  onEvict?: (peer: PeerState) => void;
}

export class PeerBook {
  private readonly map = new Map<string, PeerState>();
  /** The peers not proven by a credential, by source, oldest first. */
  private readonly unproven = new FairShare();
  private proven: (id: string) => boolean = () => true;
  readonly maxPeers: number;
  private readonly perSource: number;

  constructor(private readonly init: PeerBookInit) {
    this.maxPeers = init.maxPeers;
    this.perSource = init.perSource ?? init.maxPeers;
  }

  /** Who is proven by a credential (default: everyone, as with a cluster key). */
  setProven(isProven: (id: string) => boolean): void {
    this.proven = isProven;
    this.sweep();
  }

  isProven(id: string): boolean {
    return this.proven(id);
  }

  /** How many peers are not proven (stats). */
  get unprovenCount(): number {
    return this.unproven.size;
  }

  get size(): number {
    return this.map.size;
  }

  get full(): boolean {
    return this.map.size >= this.maxPeers;
  }

  get(id: string): PeerState | undefined {
    return this.map.get(id);
  }

  /** A snapshot of every peer (safe to delete from the book while iterating it). */
  all(): PeerState[] {
    return [...this.map.values()];
  }

  /** The peer, created (charged to `source`) if admission makes room; undefined if refused. */
  ensure(id: string, source: string): PeerState | undefined {
    const have = this.map.get(id);
    if (have || !this.room(id, source)) return have;
    const peer: PeerState = {
      id,
      source,
      internals: [],
      rdvs: new Set(),
      epHeard: 0,
      lastSeen: 0,
      lastIntro: -Infinity,
      lan: false,
    };
    this.map.set(id, peer);
    if (!this.proven(id)) this.unproven.add(source, id);
    return peer;
  }

  delete(id: string): void {
    this.map.delete(id);
    this.unproven.delete(id);
  }

  /** Re-sorts peers whose proof came or went since (each keepalive). */
  sweep(): void {
    for (const peer of this.map.values()) {
      if (this.proven(peer.id)) this.unproven.delete(peer.id);
      else if (!this.unproven.has(peer.id)) this.unproven.add(peer.source, peer.id);
    }
  }

  private room(id: string, source: string): boolean {
    if (!this.proven(id) && this.unproven.count(source) >= this.perSource && this.evictFrom(source))
      return true;
    for (;;) {
      if (this.map.size < this.maxPeers) return true;
      const largest = this.unproven.largest();
      if (largest === undefined) return false; // full of proven peers
      const mine = this.proven(id) ? -1 : this.unproven.count(source);
      if (largest !== source && this.unproven.count(largest) <= mine + 1) return false;
      this.evictFrom(largest);
    }
  }

  /** Evicts the oldest unproven peer of `source` (one that proved itself meanwhile is kept); false if none. */
  private evictFrom(source: string): boolean {
    for (let id = this.unproven.oldest(source); id !== undefined; id = this.unproven.oldest(source)) {
      this.unproven.delete(id);
      const peer = this.map.get(id);
      if (this.proven(id) || !peer) continue;
      this.map.delete(id);
      this.init.onEvict?.(peer);
      return true;
    }
    return false;
  }

  /** An authenticated packet from `peer` at `from`: that endpoint works. */
  heard(peer: PeerState, from: Endpoint, now: number, lan: boolean): void {
    peer.ep = from;
    peer.epHeard = now;
    peer.lastSeen = now;
    peer.lan = lan;
  }

  /** Something from `peer` arrived through a relay or bridge: it lives, its path is unchanged. */
  seen(peer: PeerState, now: number): void {
    peer.lastSeen = now;
  }

  /** Where rendezvous `rdv` (or, with rdv undefined, a bridge or introduction) places `peer`. */
  place(peer: PeerState, at: PeerPlace, rdv?: number): void {
    peer.ext = at.ext;
    peer.internals = at.internals;
    peer.via = at.via;
    if (rdv !== undefined) peer.rdvs.add(rdv);
  }

  /** The LAN endpoints `peer` reports for itself (child-hello), or where we heard it when it reported none. */
  setInternals(peer: PeerState, internals: Endpoint[]): void {
    peer.internals = internals;
  }

  /** Rendezvous `rdv` no longer lists `peer`. */
  unlisted(peer: PeerState, rdv: number): void {
    peer.rdvs.delete(rdv);
  }

  /** We asked for (or got) an introduction to `peer` at `now`. */
  introduced(peer: PeerState, now: number): void {
    peer.lastIntro = now;
  }

  /** Our NAT mapping moved: `peer`'s punched endpoint is dead; punch again at the next chance. */
  unpunch(peer: PeerState): void {
    peer.ep = undefined;
    peer.lastIntro = -Infinity;
  }

  /** The view of `peer` if it differs from the one shown last (and marks it shown), else null. */
  changedView(peer: PeerState, liveness: Liveness): PeerView | null {
    const view = this.view(peer, liveness);
    const lan = (view.internals ?? []).map((e) => `${e.address}:${e.port}`).join(',');
    const key = `${view.path}|${view.external?.address}:${view.external?.port}|${lan}`;
    if (key === peer.shown) return null;
    peer.shown = key;
    return view;
  }

  endpointAlive(peer: PeerState, liveness: Liveness): boolean {
    return !!peer.ep && liveness.now - peer.epHeard <= liveness.pathTimeoutMs;
  }

  pathOf(peer: PeerState, liveness: Liveness): PathType | null {
    if (this.endpointAlive(peer, liveness))
      return peer.lan || peer.internals.some((e) => sameEp(e, peer.ep)) ? 'direct' : 'punched';
    if (liveness.bridgeUp) return 'bridged';
    if (peer.via) {
      const bridge = this.map.get(peer.via);
      if (
        bridge &&
        (this.endpointAlive(bridge, liveness) || [...bridge.rdvs].some((i) => liveness.rdvAlive(i)))
      )
        return 'bridged';
    }
    if ([...peer.rdvs].some((i) => liveness.rdvAlive(i))) return 'relayed';
    return null;
  }

  view(peer: PeerState, liveness: Liveness): PeerView {
    return {
      id: peer.id,
      path: this.pathOf(peer, liveness),
      external: peer.ext,
      internal: peer.internals[0],
      internals: [...peer.internals],
      lastSeen: peer.lastSeen,
    };
  }
}
