/**
 * A natm node: one DatagramSocket carrying STUN and sealed overlay packets. It registers
 * with every configured rendezvous (STUN + register each keepalive), learns peers from
 * table deltas, punches holes after introductions, keeps paths alive with probes, relays
 * through a rendezvous when nothing better exists, and acts as a bridge for LAN children
 * or as a bridge child. Implements OverlayLink for the layers above. A banned id (a
 * revoked node, told by the certificate layer through `setBanned`) gets nothing: its
 * packets are dropped (`drop_banned`), it is never a peer, punched, introduced or
 * forwarded for, and what it forwards for others is dropped too; peers behind a banned
 * bridge have no path, and a child whose own bridge is banned stops using it and says
 * so in the log (it needs another `bridgeVia`).
 * Against outsiders (docs/security.md §Hostile members and hostile input): no address
 * gets more bytes from us than it sent until it proved it receives (lib/net/address-proof.ts,
 * probes.ts), and the peer book admits peers per source with eviction, peers proven by a
 * credential first (`setProven`, peer-book.ts).
 * This file holds the wiring, the lifecycle, the OverlayLink surface and the keepalive
 * tick; the parts: packet-receiver.ts (receive path), probes.ts (return routability),
 * rendezvous-sync.ts (register, tables, introductions), router.ts (paths and bridging),
 * bridge-uplink.ts (our bridge), peer-book.ts, rendezvous-client.ts, hole-puncher.ts,
 * peer-events.ts.
 * Protocol: docs/protocol/natm.md. Wiring for a real process: main.ts.
 */
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import { AddressProof } from '../lib/net/address-proof.ts';
import { Channel } from '../lib/net/channel.ts';
import { Counters } from '../lib/net/counters.ts';
import { type DatagramSocket, type Endpoint, MAX_DATAGRAM } from '../lib/net/datagram.ts';
import { MAX_APP_PAYLOAD, type OverlayLink, type PeerView } from '../lib/net/overlay-link.ts';
import type { PacketSealer } from '../lib/wire/envelope/sealer.ts';
import { FORWARD_OVERHEAD, MAX_TTL } from '../lib/wire/messages.ts';
import { BridgeUplink } from './bridge-uplink.ts';
import type { Observation, PathCounts } from './connectivity.ts';
import type { NatmConfig } from './config.ts';
import { HolePuncher } from './hole-puncher.ts';
import { type Liveness, PeerBook, type PeerState } from './peer-book.ts';
import { PeerEvents } from './peer-events.ts';
import { RendezvousClient } from './rendezvous-client.ts';
import { RendezvousSync } from './rendezvous-sync.ts';
import { PacketReceiver } from './packet-receiver.ts';
import { Probes } from './probes.ts';
import { Router } from './router.ts';

export interface NatmComponents {
  socket: DatagramSocket;
  sealer: PacketSealer;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  /** This node's LAN endpoints (default: config.advertise, else the socket's local endpoint). */
  internals?: Endpoint[];
  /**
   * The cluster's namespace at the rendezvous (certificate mode: a tag derived from the
   * CA key and cluster name, membership/namespace.ts); "" in cluster-key mode.
   */
  namespace?: string;
  /** Shared with the socket when it counts too (the stream fallback, fallback-socket.ts). */
  counters?: Counters;
}

export class NatmNode implements OverlayLink {
  readonly selfId: string;
  /** Largest app payload `send` takes: MAX_APP_PAYLOAD, less what a bigger envelope needs. */
  readonly maxPayload: number;
  readonly counters: Counters;
  readonly book: PeerBook;
  readonly rdv: RendezvousClient;
  readonly proof: AddressProof;
  private readonly channel: Channel;
  private readonly puncher: HolePuncher;
  private readonly router: Router;
  private readonly uplink: BridgeUplink;
  private readonly sync: RendezvousSync;
  private readonly events: PeerEvents;
  private readonly probes: Probes;
  private readonly random: () => number;
  private readonly internals: Endpoint[];
  private timers: Timer[] = [];
  private banned: (id: string) => boolean = () => false;

  constructor(
    private readonly deps: NatmComponents,
    readonly cfg: NatmConfig,
  ) {
    const { clock, logger } = deps;
    const counters = (this.counters = deps.counters ?? new Counters());
    const live = () => this.live();
    const isBanned = (id: string) => this.banned(id);
    this.selfId = cfg.id;
    this.maxPayload = Math.min(MAX_APP_PAYLOAD, MAX_DATAGRAM - FORWARD_OVERHEAD - deps.sealer.overhead);
    this.random = deps.random ?? Math.random;
    this.internals = deps.internals ?? (cfg.advertise.length ? [...cfg.advertise] : [deps.socket.local()]);
    const book = (this.book = new PeerBook({
      maxPeers: cfg.maxPeers,
      perSource: cfg.unprovenPerSource,
      // Displaced by a newcomer: counted, and the layers above see it gone (no path).
      onEvict: (p) => (
        counters.inc('peers_evicted'),
        this.events.changed({ id: p.id, path: null, lastSeen: p.lastSeen })
      ),
    }));
    // A cluster key is a credential; in open mode only the certificate layer proves a peer.
    if (deps.sealer.signerId !== undefined) book.setProven(() => false);
    const rdv = (this.rdv = new RendezvousClient(cfg.rendezvous, cfg.stunServers));
    const proof = (this.proof = new AddressProof(clock, {
      ttlMs: cfg.pathTimeoutMs,
      maxEntries: 4 * cfg.maxPeers,
    }));
    for (const ep of [...cfg.rendezvous, ...cfg.stunServers, ...(cfg.bridgeVia ? [cfg.bridgeVia] : [])])
      proof.trust(ep);
    const channel = (this.channel = new Channel({ ...deps, counters, proof }, cfg.id, 4 * cfg.maxPeers));
    const events = (this.events = new PeerEvents({ counters, logger }));
    const router = (this.router = new Router({ channel, book, rdv, counters, clock, proof, live }, cfg));
    const puncher = (this.puncher = new HolePuncher(
      clock,
      { intervalMs: cfg.punchIntervalMs, attempts: cfg.punchAttempts, maxPending: cfg.maxPendingPunches },
      (_peerId, to) => channel.send(to, { t: 'probe', token: proof.token(to), ack: false, echo: 0 }),
      (peerId) => (counters.inc('punch_failed'), logger.debug({ peer: peerId }, 'punch failed')),
    ));
    const uplink = (this.uplink = new BridgeUplink({ channel, logger, proof, isBanned }, cfg.bridgeVia));
    const touch = (peer: PeerState, liveness: Liveness) => this.touch(peer, liveness);
    // What the sync and the receive path both use.
    const shared = { channel, book, rdv, router, puncher, counters, clock, proof, isBanned, live, touch };
    const sync = (this.sync = new RendezvousSync({ ...shared, logger, overhead: deps.sealer.overhead }, cfg, {
      internals: this.internals,
      namespace: deps.namespace ?? '',
    }));
    const helloBridge = () => uplink.hello(this.internals, false);
    this.probes = new Probes({ channel, proof, rdv, sync, counters, clock, helloBridge });
    const receiver = new PacketReceiver(
      { ...shared, uplink, sync, events },
      { id: cfg.id, sourcePrefix: cfg.sourcePrefix },
      this.probes,
    );
    channel.handle(
      (packet, from) => receiver.onPacket(packet, from),
      (stun, from) => receiver.onStun(stun, from),
    );
  }

  /** Our external endpoint as a rendezvous observed it (undefined until one did). */
  get external(): Endpoint | undefined {
    return this.sync.external;
  }

  // ---- lifecycle -------------------------------------------------------------------

  start(): void {
    if (this.timers.length) return;
    this.timers.push(this.deps.clock.setInterval(() => this.tick(), this.cfg.keepaliveMs));
    this.timers.push(this.deps.clock.setTimeout(() => this.tick(), 0));
  }

  /** One keepalive round now (STUN, register, probes), e.g. on a fresh stream fallback. */
  keepaliveNow(): void {
    if (this.timers.length) this.tick();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) timer.cancel();
    this.timers = [];
    this.puncher.stopAll();
    await this.deps.socket.close();
  }

  // ---- OverlayLink -----------------------------------------------------------------

  send(peerId: string, payload: Uint8Array): boolean {
    try {
      if (payload.length > this.maxPayload) return this.refuse('send_oversized');
      if (this.banned(peerId)) return this.refuse('send_banned');
      const peer = this.book.get(peerId);
      if (!peer) return this.refuse('send_unknown_peer');
      return this.router.route(peer, this.selfId, payload, MAX_TTL) || this.refuse('send_no_path');
    } catch (err) {
      this.deps.logger.warn({ err, peer: peerId }, 'send failed');
      return this.refuse('send_error');
    }
  }

  onMessage(handler: (peerId: string, payload: Uint8Array) => void): void {
    this.events.onMessage(handler);
  }

  peers(): readonly PeerView[] {
    const liveness = this.live();
    return this.book.all().map((peer) => this.book.view(peer, liveness));
  }

  onPeerChange(handler: (peer: PeerView) => void): void {
    this.events.onPeerChange(handler);
  }

  /**
   * Who is proven by a credential (a certificate session, from SecureOverlay): admitted to
   * the peer book first, never displaced by peers that are not. Default: nobody in open
   * mode, everybody with a cluster key (the key is the credential).
   */
  setProven(isProven: (peerId: string) => boolean): void {
    this.book.setProven(isProven);
  }

  /** `isBanned` is called as a plain function on every packet: pass an arrow or a bound function. */
  setBanned(isBanned: (peerId: string) => boolean): void {
    this.banned = isBanned;
  }

  /** Drops what we hold for a peer just banned: its entry, punch, child slot, and peers behind it. */
  forget(peerId: string): void {
    this.puncher.done(peerId);
    this.router.dropChild(peerId);
    if (this.uplink.isBridge(peerId)) this.uplink.banned();
    for (const peer of this.book.all()) {
      if (peer.id !== peerId && peer.via !== peerId) continue;
      this.book.delete(peer.id);
      this.counters.inc(peer.id === peerId ? 'peers_banned' : 'peers_behind_banned');
    }
  }

  /** Hole punches in progress. */
  pendingPunches(): number {
    return this.puncher.size();
  }

  peer(id: string): PeerView | undefined {
    const peer = this.book.get(id);
    return peer && this.book.view(peer, this.live());
  }

  stats(): Record<string, unknown> {
    const now = this.deps.clock.now();
    return {
      id: this.selfId,
      envelope: this.deps.sealer.signerId === undefined ? 'cluster-key' : 'open',
      namespace: this.deps.namespace ?? '',
      external: this.external,
      stun: Object.fromEntries(this.rdv.mapped),
      rendezvous: this.rdv.snapshot(now, this.cfg.pathTimeoutMs),
      children: this.router.childIds(),
      pendingPunches: this.pendingPunches(),
      book: { peers: this.book.size, unproven: this.book.unprovenCount },
      addresses: this.proof.sizes(),
      peers: this.peers(),
      counters: this.counters.snapshot(),
    };
  }

  /** Rendezvous liveness, external endpoint and path kinds, for the connectivity machine. */
  linkState(): Omit<Observation, 'clock'> {
    const rdvs = this.rdv.snapshot(this.deps.clock.now(), this.cfg.pathTimeoutMs);
    const last = Math.max(-Infinity, ...rdvs.map((r) => r.lastAck));
    const paths: PathCounts = { direct: 0, punched: 0, bridged: 0, relayed: 0, none: 0 };
    for (const peer of this.peers()) paths[peer.path ?? 'none']++;
    return {
      rendezvous: {
        configured: rdvs.length,
        alive: rdvs.filter((r) => r.alive).length,
        lastContact: Number.isFinite(last) ? last : null,
      },
      external: this.external ?? null,
      paths,
    };
  }

  // ---- timers ----------------------------------------------------------------------

  private tick(): void {
    const now = this.deps.clock.now();
    for (const [ep, bytes] of this.rdv.stunRequests()) this.channel.sendRaw(ep, bytes);
    this.rdv.newRound();
    this.probes.pinAll();
    this.sync.registerAll();
    this.book.sweep();
    this.uplink.hello(this.internals);
    this.router.expireChildren(now);
    const liveness = this.live();
    const alive = this.book.all().filter((peer) => this.book.endpointAlive(peer, liveness));
    alive.sort((a, b) => b.lastSeen - a.lastSeen);
    for (const peer of alive.slice(0, this.cfg.maxPaths)) this.probes.challenge(peer.ep!);
    if (alive.length < this.cfg.eagerPaths) this.eager(liveness);
    for (const peer of this.book.all()) {
      const forgotten = !peer.rdvs.size && !peer.via && now - peer.lastSeen > 4 * this.cfg.pathTimeoutMs;
      if (forgotten && this.book.pathOf(peer, liveness) === null) this.book.delete(peer.id);
      else this.touch(peer, liveness);
    }
  }

  /** Punch towards a couple of random relay-only peers while we have few direct paths. */
  private eager(liveness: Liveness): void {
    const candidates = this.book
      .all()
      .filter(
        (peer) =>
          peer.ext &&
          !peer.via &&
          this.book.pathOf(peer, liveness) === 'relayed' &&
          liveness.now - peer.lastIntro > this.cfg.upgradeIntervalMs,
      );
    for (let k = 0; k < 2 && candidates.length; k++) {
      const [peer] = candidates.splice(Math.floor(this.random() * candidates.length), 1);
      this.router.requestIntro(peer!, liveness);
    }
  }

  // ---- helpers ---------------------------------------------------------------------

  private touch(peer: PeerState, liveness: Liveness): void {
    const view = this.book.changedView(peer, liveness);
    if (view) this.events.changed(view);
  }

  private live(): Liveness {
    const now = this.deps.clock.now();
    const timeoutMs = this.cfg.pathTimeoutMs;
    const rdvUp = this.rdv.anyAlive(now, timeoutMs);
    return {
      now,
      pathTimeoutMs: timeoutMs,
      rdvAlive: (i) => this.rdv.alive(i, now, timeoutMs),
      bridgeUp: !rdvUp && this.uplink.up(now, timeoutMs),
    };
  }

  private refuse(reason: string): false {
    this.counters.inc(reason);
    return false;
  }
}
