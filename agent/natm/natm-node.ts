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
 * so in the log (it needs another `bridgeVia`). A `forward` speaks for its origin only
 * when it comes from that origin, from the origin's own bridge, from a rendezvous or
 * from our bridge (`drop_forward_spoofed`).
 * Protocol: docs/protocol/natm.md. Wiring for a real process: main.ts.
 */
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import { Channel } from '../lib/net/channel.ts';
import type { NatmConfig } from './config.ts';
import { Counters } from '../lib/net/counters.ts';
import type { PacketSealer } from '../lib/wire/envelope/sealer.ts';
import { type DatagramSocket, type Endpoint, MAX_DATAGRAM, sameEp } from '../lib/net/datagram.ts';
import { HolePuncher } from './hole-puncher.ts';
import { MAX_APP_PAYLOAD, type OverlayLink, type PeerView } from '../lib/net/overlay-link.ts';
import { type Liveness, PeerBook, type PeerState } from './peer-book.ts';
import { RendezvousClient } from './rendezvous-client.ts';
import { type Forward, Router } from './router.ts';
import type { StunInfo } from '../lib/wire/stun-codec.ts';
import { type Body, FORWARD_OVERHEAD, MAX_TTL, type Packet } from '../lib/wire/messages.ts';

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
}

export class NatmNode implements OverlayLink {
  readonly selfId: string;
  /** Largest app payload `send` takes: MAX_APP_PAYLOAD, less what a bigger envelope needs. */
  readonly maxPayload: number;
  readonly counters = new Counters();
  readonly book: PeerBook;
  readonly rdv: RendezvousClient;
  external: Endpoint | undefined;
  private readonly channel: Channel;
  private readonly puncher: HolePuncher;
  private readonly router: Router;
  private bridgeLast = -Infinity;
  /** Our bridge's node id (from its child-ack), and whether we said it is banned. */
  private bridgeId: string | undefined;
  private bridgeBannedTold = false;
  private readonly random: () => number;
  private readonly internals: Endpoint[];
  private msgHandlers: Array<(peerId: string, payload: Uint8Array) => void> = [];
  private changeHandlers: Array<(peer: PeerView) => void> = [];
  private timers: Timer[] = [];
  private banned: (id: string) => boolean = () => false;

  constructor(
    private readonly c: NatmComponents,
    readonly cfg: NatmConfig,
  ) {
    this.selfId = cfg.id;
    this.maxPayload = Math.min(MAX_APP_PAYLOAD, MAX_DATAGRAM - FORWARD_OVERHEAD - c.sealer.overhead);
    this.random = c.random ?? Math.random;
    this.book = new PeerBook(cfg.maxPeers);
    this.rdv = new RendezvousClient(cfg.rendezvous, cfg.stunServers);
    const local = c.socket.local();
    this.internals = c.internals ?? (cfg.advertise.length ? [...cfg.advertise] : [local]);
    this.channel = new Channel({ ...c, counters: this.counters }, cfg.id, 4 * cfg.maxPeers);
    this.channel.handle(
      (p, from) => this.onPacket(p, from),
      (s, from) => this.onStun(s, from),
    );
    const { channel, book, rdv, counters } = this;
    this.router = new Router({ channel, book, rdv, counters, clock: c.clock, live: () => this.live() }, cfg);
    this.puncher = new HolePuncher(
      c.clock,
      { intervalMs: cfg.punchIntervalMs, attempts: cfg.punchAttempts, maxPending: cfg.maxPendingPunches },
      (_id, to, token) => this.channel.send(to, { t: 'probe', token, ack: false }),
      (id) => (this.counters.inc('punch_failed'), this.c.logger.debug({ peer: id }, 'punch failed')),
    );
  }

  // ---- lifecycle -------------------------------------------------------------------

  start(): void {
    if (this.timers.length) return;
    this.timers.push(this.c.clock.setInterval(() => this.tick(), this.cfg.keepaliveMs));
    this.timers.push(this.c.clock.setTimeout(() => this.tick(), 0));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) t.cancel();
    this.timers = [];
    this.puncher.stopAll();
    await this.c.socket.close();
  }

  // ---- OverlayLink -----------------------------------------------------------------

  send(peerId: string, payload: Uint8Array): boolean {
    try {
      if (payload.length > this.maxPayload) return this.refuse('send_oversized');
      if (this.banned(peerId)) return this.refuse('send_banned');
      const p = this.book.get(peerId);
      if (!p) return this.refuse('send_unknown_peer');
      return this.router.route(p, this.selfId, payload, MAX_TTL) || this.refuse('send_no_path');
    } catch (e) {
      this.c.logger.warn({ err: e, peer: peerId }, 'send failed');
      return this.refuse('send_error');
    }
  }

  onMessage(handler: (peerId: string, payload: Uint8Array) => void): void {
    this.msgHandlers.push(handler);
  }

  peers(): readonly PeerView[] {
    const l = this.live();
    return [...this.book.map.values()].map((p) => this.book.view(p, l));
  }

  onPeerChange(handler: (peer: PeerView) => void): void {
    this.changeHandlers.push(handler);
  }

  /** `isBanned` is called as a plain function on every packet: pass an arrow or a bound function. */
  setBanned(isBanned: (peerId: string) => boolean): void {
    this.banned = isBanned;
  }

  /** Drops what we hold for a peer just banned: its entry, punch, child slot, and peers behind it. */
  forget(peerId: string): void {
    this.puncher.done(peerId);
    this.router.children.delete(peerId);
    if (peerId === this.bridgeId) this.bridgeBanned();
    for (const p of [...this.book.map.values()]) {
      if (p.id !== peerId && p.via !== peerId) continue;
      this.book.delete(p.id);
      this.counters.inc(p.id === peerId ? 'peers_banned' : 'peers_behind_banned');
    }
  }

  /** Our own bridge is banned: stop using it (no hellos, no bridged path) and say so once. */
  private bridgeBanned(): void {
    this.bridgeLast = -Infinity;
    if (this.bridgeBannedTold) return;
    this.bridgeBannedTold = true;
    this.c.logger.warn(
      { peer: this.bridgeId, bridgeVia: this.cfg.bridgeVia },
      'our bridge is banned (revoked): not using it; set another bridgeVia',
    );
  }

  peer(id: string): PeerView | undefined {
    const p = this.book.get(id);
    return p && this.book.view(p, this.live());
  }

  stats(): Record<string, unknown> {
    const now = this.c.clock.now();
    return {
      id: this.selfId,
      envelope: this.c.sealer.signerId === undefined ? 'cluster-key' : 'open',
      namespace: this.c.namespace ?? '',
      external: this.external,
      stun: Object.fromEntries(this.rdv.mapped),
      rendezvous: this.rdv.rdvs.map((r, i) => ({
        ...r,
        alive: this.rdv.alive(i, now, this.cfg.pathTimeoutMs),
      })),
      children: [...this.router.children.keys()],
      pendingPunches: this.puncher.size(),
      peers: this.peers(),
      counters: this.counters.snapshot(),
    };
  }

  // ---- timers ----------------------------------------------------------------------

  private tick(): void {
    const now = this.c.clock.now();
    for (const [ep, bytes] of this.rdv.stunRequests()) this.channel.sendRaw(ep, bytes);
    this.rdv.rdvs.forEach((r, i) => ((r.pages = 0), this.register(i)));
    const bridgeBanned = this.bridgeId !== undefined && this.banned(this.bridgeId);
    if (this.cfg.bridgeVia && !bridgeBanned)
      this.channel.send(this.cfg.bridgeVia, { t: 'child-hello', internals: this.internals });
    this.router.expireChildren(now);
    const l = this.live();
    const alive = [...this.book.map.values()].filter((p) => this.book.endpointAlive(p, l));
    alive.sort((a, b) => b.lastSeen - a.lastSeen);
    for (const p of alive.slice(0, this.cfg.maxPaths))
      this.channel.send(p.ep!, { t: 'probe', token: 0, ack: false });
    if (alive.length < this.cfg.eagerPaths) this.eager(l);
    for (const p of [...this.book.map.values()]) {
      const forgotten = !p.rdvs.size && !p.via && now - p.lastSeen > 4 * this.cfg.pathTimeoutMs;
      if (forgotten && this.book.pathOf(p, l) === null) this.book.delete(p.id);
      else this.touch(p, l);
    }
  }

  /** Punch towards a couple of random relay-only peers while we have few direct paths. */
  private eager(l: Liveness): void {
    const cands = [...this.book.map.values()].filter(
      (p) =>
        p.ext &&
        !p.via &&
        this.book.pathOf(p, l) === 'relayed' &&
        l.now - p.lastIntro > this.cfg.upgradeIntervalMs,
    );
    for (let k = 0; k < 2 && cands.length; k++) {
      const [p] = cands.splice(Math.floor(this.random() * cands.length), 1);
      this.router.requestIntro(p!, l);
    }
  }

  private register(i: number): void {
    const r = this.rdv.rdvs[i]!;
    const children = this.cfg.bridge ? [...this.router.children.keys()] : [];
    const ns = this.c.namespace ?? '';
    this.channel.send(r.ep, { t: 'register', internals: this.internals, known: r.known, children, ns });
  }

  // ---- receive path (called inside Channel's try/catch) -------------------------------

  private onStun(s: StunInfo, from: Endpoint): void {
    if (s.kind !== 'response') return this.counters.inc('drop_stun_unexpected');
    const mapped = this.rdv.onStunResponse(s.txid, s.mapped, from);
    if (!mapped) return this.counters.inc('drop_stun_unmatched');
    this.counters.inc('stun_responses');
    // Only a rendezvous's answer speaks for our overlay mapping; a change makes us re-register now.
    const i = this.rdv.indexOf(from);
    if (i >= 0 && this.external && !sameEp(mapped, this.external))
      this.rdv.rdvs.forEach((_, j) => this.register(j));
  }

  private onPacket(p: Packet, from: Endpoint): void {
    const b = p.body;
    const ri = this.rdv.indexOf(from);
    const now = this.c.clock.now();
    if (ri >= 0) this.rdv.rdvs[ri]!.lastAck = now;
    const fromBridge = !!this.cfg.bridgeVia && sameEp(from, this.cfg.bridgeVia);
    if (this.banned(p.sender)) {
      if (fromBridge) {
        this.bridgeId = p.sender;
        this.bridgeBanned();
      }
      return this.counters.inc('drop_banned');
    }
    switch (b.t) {
      case 'table':
        if (ri >= 0) return this.onTable(ri, b);
        if (fromBridge) return (this.learn(p.sender, from, true), this.onTable(-1, b));
        return this.counters.inc('drop_unexpected_table');
      case 'intro':
        return ri >= 0 ? this.onIntro(ri, b) : this.counters.inc('drop_unexpected_intro');
      case 'probe':
        if (ri >= 0) return;
        this.learn(p.sender, from, fromBridge);
        if (!b.ack) this.channel.send(from, { t: 'probe', token: b.token, ack: true });
        return;
      case 'data':
        this.learn(p.sender, from, fromBridge);
        return this.deliver(p.sender, b.payload);
      case 'forward':
        return this.onForward(p.sender, b, from, ri >= 0 || fromBridge);
      case 'child-hello':
        return this.onChildHello(p.sender, b.internals, from);
      case 'child-ack': {
        if (!fromBridge) return this.counters.inc('drop_unexpected_child_ack');
        this.bridgeLast = now;
        this.bridgeId = p.sender;
        // The bridge's own table entry may never reach us (a rendezvous does not push a
        // node its own entry): its LAN endpoint is the one we dial.
        const bridge = this.book.ensure(p.sender);
        if (bridge && bridge.internals.length === 0) bridge.internals = [from];
        this.learn(p.sender, from, true);
        return;
      }
      default:
        return this.counters.inc(`drop_unexpected_${b.t}`);
    }
  }

  private onTable(ri: number, b: Extract<Body, { t: 'table' }>): void {
    if (ri >= 0 && b.observed) this.observed(ri, b.observed);
    for (const e of b.entries) {
      // A banned node, or one reached only through a banned bridge: no entry, no path.
      if (e.id === this.selfId || this.banned(e.id) || (e.via && this.banned(e.via))) continue;
      if (e.gone) {
        const p = this.book.get(e.id);
        if (p && ri >= 0) p.rdvs.delete(ri);
        if (p) this.touch(p, this.live());
        continue;
      }
      const p = this.book.ensure(e.id);
      if (!p) {
        this.counters.inc('drop_peers_full');
        continue;
      }
      p.ext = e.ext;
      p.internals = e.internals;
      p.via = e.via;
      if (ri >= 0) p.rdvs.add(ri);
      this.touch(p, this.live());
    }
    if (ri < 0) return;
    if (this.cfg.bridge && b.entries.length)
      for (const ch of this.router.children.values())
        this.channel.send(ch.ep, { ...b, observed: undefined, push: true });
    const r = this.rdv.rdvs[ri]!;
    if (b.push) return;
    r.known = b.version;
    // Page on while there is room; a full book takes one page per keepalive (a bounded subset).
    const full = this.book.map.size >= this.cfg.maxPeers;
    if (b.more && !full && ++r.pages < this.cfg.tablePagesPerTick) this.register(ri);
  }

  /** Our external endpoint as authenticated rendezvous `ri` saw it; a change means we moved. */
  private observed(ri: number, ep: Endpoint): void {
    const r = this.rdv.rdvs[ri]!;
    const prev = r.observed;
    r.observed = ep;
    if (sameEp(ep, prev)) return;
    this.c.logger.info({ external: ep, previous: prev, rendezvous: r.ep }, 'external endpoint learned');
    this.external = ep;
    if (!prev) return;
    this.counters.inc('external_changed');
    // Our NAT mapping changed: punched paths are dead. Re-register and punch again.
    const l = this.live();
    const redo: PeerState[] = [];
    for (const p of this.book.map.values()) {
      if (this.book.pathOf(p, l) !== 'punched') continue;
      p.ep = undefined;
      p.lastIntro = -Infinity;
      redo.push(p);
    }
    this.rdv.rdvs.forEach((_, i) => this.register(i));
    for (const p of redo.slice(0, this.cfg.eagerPaths)) this.router.requestIntro(p, l);
    for (const p of redo) this.touch(p, l);
  }

  private onIntro(ri: number, b: Extract<Body, { t: 'intro' }>): void {
    const e = b.peer;
    if (e.id === this.selfId) return this.counters.inc('drop_intro_self');
    if (this.banned(e.id)) return this.counters.inc('drop_banned');
    const p = this.book.ensure(e.id);
    if (!p) return this.counters.inc('drop_peers_full');
    p.ext = e.ext;
    p.internals = e.internals;
    p.rdvs.add(ri);
    p.lastIntro = this.c.clock.now();
    // No hairpin NAT: behind the same public address, punch the LAN addresses instead.
    const sameNat = !!e.ext && !!this.external && e.ext.address === this.external.address;
    const cands = sameNat ? e.internals : e.ext ? [e.ext] : [];
    if (!this.puncher.start(e.id, b.token, cands)) return this.counters.inc('drop_punch_full');
    this.counters.inc('punch_started');
  }

  private onChildHello(sender: string, internals: Endpoint[], from: Endpoint): void {
    if (!this.router.admitChild(sender, from)) return;
    const p = this.learn(sender, from, true);
    if (p) p.internals = internals;
    this.channel.send(from, { t: 'child-ack' });
    const entries = this.router.nextPageFor(sender);
    if (entries.length) this.channel.send(from, { t: 'table', version: 0, more: false, push: true, entries });
  }

  private onForward(sender: string, b: Forward, from: Endpoint, trustedHop: boolean): void {
    if (this.banned(b.origin) || this.banned(b.dest)) return this.counters.inc('drop_banned');
    // Only the origin itself, its own bridge, a rendezvous or our bridge may speak for it.
    if (!trustedHop && b.origin !== sender && this.book.get(b.origin)?.via !== sender)
      return this.counters.inc('drop_forward_spoofed');
    if (b.dest !== this.selfId) return this.router.forwardAsBridge(sender, b);
    if (!trustedHop) this.learn(sender, from, false);
    const o = this.book.ensure(b.origin);
    if (o) o.lastSeen = this.c.clock.now();
    this.deliver(b.origin, b.payload);
  }

  // ---- helpers ---------------------------------------------------------------------

  /** An authenticated packet from `id` at `from`: that endpoint works. */
  private learn(id: string, from: Endpoint, lan: boolean): PeerState | undefined {
    const p = this.book.ensure(id);
    if (!p) return void this.counters.inc('drop_peers_full');
    const now = this.c.clock.now();
    p.ep = from;
    p.epHeard = now;
    p.lastSeen = now;
    p.lan = lan || this.router.children.has(id);
    if (this.puncher.done(id)) this.counters.inc('punch_succeeded');
    this.touch(p, this.live());
    return p;
  }

  private deliver(peerId: string, payload: Uint8Array): void {
    this.counters.inc('app_rx');
    for (const h of this.msgHandlers) {
      try {
        h(peerId, payload);
      } catch (e) {
        this.counters.inc('app_handler_error');
        this.c.logger.warn({ err: e, peer: peerId }, 'message handler threw');
      }
    }
  }

  private touch(p: PeerState, l: Liveness): void {
    const v = this.book.view(p, l);
    const key = `${v.path}|${v.external?.address}:${v.external?.port}|${v.internal?.address}:${v.internal?.port}`;
    if (key === p.shown) return;
    p.shown = key;
    for (const h of this.changeHandlers) {
      try {
        h(v);
      } catch (e) {
        this.counters.inc('peer_handler_error');
        this.c.logger.warn({ err: e, peer: p.id }, 'peer-change handler threw');
      }
    }
  }

  private live(): Liveness {
    const now = this.c.clock.now();
    const t = this.cfg.pathTimeoutMs;
    const rdvUp = this.rdv.anyAlive(now, t);
    return {
      now,
      pathTimeoutMs: t,
      rdvAlive: (i) => this.rdv.alive(i, now, t),
      bridgeUp: !!this.cfg.bridgeVia && !rdvUp && now - this.bridgeLast <= t,
    };
  }

  private refuse(reason: string): false {
    this.counters.inc(reason);
    return false;
  }
}
