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
 * Bounded by `maxPeers`: an unknown peer beyond that is refused (counted by the caller).
 * Peer records change only through the book's methods.
 */
import { sameEp, type Endpoint } from '../lib/net/datagram.ts';
import type { PathType, PeerView } from '../lib/net/overlay-link.ts';

export interface PeerState {
  readonly id: string;
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

export class PeerBook {
  private readonly map = new Map<string, PeerState>();

  constructor(readonly maxPeers: number) {}

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

  /** The peer, created if there is room; undefined when full. */
  ensure(id: string): PeerState | undefined {
    let peer = this.map.get(id);
    if (!peer && this.map.size < this.maxPeers) {
      peer = {
        id,
        internals: [],
        rdvs: new Set(),
        epHeard: 0,
        lastSeen: 0,
        lastIntro: -Infinity,
        lan: false,
      };
      this.map.set(id, peer);
    }
    return peer;
  }

  delete(id: string): void {
    this.map.delete(id);
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
    const key = `${view.path}|${view.external?.address}:${view.external?.port}|${view.internal?.address}:${view.internal?.port}`;
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
      lastSeen: peer.lastSeen,
    };
  }
}
