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

export class PeerBook {
  readonly map = new Map<string, PeerState>();

  constructor(readonly maxPeers: number) {}

  get(id: string): PeerState | undefined {
    return this.map.get(id);
  }

  /** The peer, created if there is room; undefined when full. */
  ensure(id: string): PeerState | undefined {
    let p = this.map.get(id);
    if (!p && this.map.size < this.maxPeers) {
      p = { id, internals: [], rdvs: new Set(), epHeard: 0, lastSeen: 0, lastIntro: -Infinity, lan: false };
      this.map.set(id, p);
    }
    return p;
  }

  delete(id: string): void {
    this.map.delete(id);
  }

  endpointAlive(p: PeerState, l: Liveness): boolean {
    return !!p.ep && l.now - p.epHeard <= l.pathTimeoutMs;
  }

  pathOf(p: PeerState, l: Liveness): PathType | null {
    if (this.endpointAlive(p, l))
      return p.lan || p.internals.some((e) => sameEp(e, p.ep)) ? 'direct' : 'punched';
    if (l.bridgeUp) return 'bridged';
    if (p.via) {
      const b = this.map.get(p.via);
      if (b && (this.endpointAlive(b, l) || [...b.rdvs].some((i) => l.rdvAlive(i)))) return 'bridged';
    }
    if ([...p.rdvs].some((i) => l.rdvAlive(i))) return 'relayed';
    return null;
  }

  view(p: PeerState, l: Liveness): PeerView {
    return {
      id: p.id,
      path: this.pathOf(p, l),
      external: p.ext,
      internal: p.internals[0],
      lastSeen: p.lastSeen,
    };
  }
}
