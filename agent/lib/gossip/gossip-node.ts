/**
 * One node of the gossip layer (NAT-TM part 2): SWIM membership, epidemic announcements with
 * fetch on demand, push-pull anti-entropy and the fleet view, over an OverlayLink.
 * Pure protocol: time and randomness are injected, no sockets (docs/protocol/gossip.md).
 *
 * Upper layer contract: `onNotification(h)` is told of every notification fetched from the
 * overlay (bytes hash to id); only after it calls `relay(id, bytes, {uri, version})` does
 * this node announce and serve it; `refuse(id)` makes sure it is never fetched or spread.
 */
import type { Clock, Timer } from '../common/clock.ts';
import { silentLogger, type Logger } from '../common/logger.ts';
import { pickDigest, syncItems } from './anti-entropy.ts';
import { BroadcastQueue } from './broadcast-queue.ts';
import { decodePacket, encodeItem } from './codec.ts';
import { resolveGossipInit, type GossipInit } from './config.ts';
import { FleetStates } from './fleet-states.ts';
import { SwimMembership } from './swim-membership.ts';
import type { Body, Item, StateRecord } from './messages.ts';
import { LocalState } from './local-state.ts';
import { Notifications, type NotificationHandler } from './notifications.ts';
import { Outbox } from './outbox.ts';
import type { OverlayLink, PeerView } from './overlay-link.ts';
import { Prober } from './prober.ts';
import { sampleNotices, type RevocationSink } from './revocations.ts';

const JOIN_SYNCS = 3;

export interface GossipComponents {
  link: OverlayLink;
  clock: Clock;
  random: () => number;
  logger?: Logger;
  /** With certificates: checks and keeps revocation notices (revocations.ts). */
  revocations?: RevocationSink;
}

export class GossipNode {
  readonly init: Readonly<GossipInit>;
  readonly queue: BroadcastQueue;
  readonly membership: SwimMembership;
  readonly notifications: Notifications;
  readonly fleet: FleetStates;
  readonly out: Outbox;
  /** This node's own record (manager state, agent version, BitTorrent port, haves). */
  readonly local: LocalState;
  private readonly prober: Prober;
  private readonly log: Logger;
  private timers: Timer[] = [];
  private running = false;
  private followUpTimer: Timer | null = null;
  private readonly stateHandlers: ((r: StateRecord) => void)[] = [];
  counters = { badPackets: 0, handlerErrors: 0, pushPulls: 0, revocations: 0, badNotices: 0 };

  constructor(
    readonly c: GossipComponents,
    init: Partial<GossipInit> = {},
  ) {
    this.init = resolveGossipInit(init);
    this.log = (c.logger ?? silentLogger()).child({ component: 'gossip' });
    const self = c.link.selfId;
    this.queue = new BroadcastQueue(
      { maxItems: this.init.maxBroadcasts, retransmitMult: this.init.retransmitMult },
      () => this.membership.table.live() + 1,
    );
    this.fleet = new FleetStates(this.init.maxMembers);
    this.local = new LocalState(
      { selfId: self, clock: c.clock, fleet: this.fleet, queue: this.queue },
      this.init.agentVersion,
    );
    this.membership = new SwimMembership(
      self,
      { clock: c.clock, queue: this.queue, removed: (id) => this.fleet.delete(id) },
      this.init,
    );
    this.out = new Outbox(c.link, this.queue, (peer) => {
      const m = this.membership.table.get(peer);
      return m && m.status !== 'alive' ? this.membership.itemFor(m) : null;
    });
    this.prober = new Prober(
      {
        clock: c.clock,
        random: c.random,
        table: this.membership.table,
        // Probe timers still pending at stop() find `running` false and do nothing.
        send: (peer, body) => void (this.running && this.out.send(peer, body)),
        failed: (id, inc) => void (this.running && this.membership.probeFailed(id, inc)),
      },
      this.init,
    );
    this.notifications = new Notifications(
      {
        clock: c.clock,
        requestChunk: (peer, id, offset) =>
          void this.out.send(peer, { type: 'fetch', id, offset }, [], false),
        sendChunk: (peer, id, offset, total, data) =>
          void this.out.send(
            peer,
            { type: 'chunk', id, offset, total, missing: data === null, data: data ?? new Uint8Array(0) },
            [],
            false,
          ),
        announce: (e) => this.queue.push(`a:${e.uri}`, encodeItem({ kind: 'announce', ...e })),
      },
      {
        ...this.init,
        maxActive: this.init.maxActiveFetches,
        maxQueued: this.init.maxQueuedFetches,
        window: this.init.fetchWindow,
      },
    );
    c.link.onMessage((from, payload) => this.onPacket(from, payload));
    c.link.onPeerChange((p) => this.onPeerChange(p));
    c.revocations?.onRevoked((id) => this.guard(() => this.revoked(id)));
  }

  /**
   * A revocation notice from the admin (or heard): checked by the sink; when it revokes a
   * node not known as revoked, it is broadcast. Returns the ids newly revoked, null if refused.
   */
  publishRevocation(notice: Uint8Array): string[] | null {
    const ids = this.c.revocations?.accept(notice) ?? null;
    if (ids === null) this.counters.badNotices++;
    for (const id of ids ?? []) {
      this.counters.revocations++;
      this.queue.push(`r:${id}`, encodeItem({ kind: 'revoke', notice }));
    }
    return ids;
  }

  /** A revoked node is dead to us at once; it cannot refute (its packets are refused). */
  private revoked(id: string): void {
    const m = this.membership.table.get(id);
    if (m && m.status !== 'dead') this.membership.apply('dead', id, m.incarnation);
    this.log.info({ peer: id }, 'member revoked');
  }

  get selfId(): string {
    return this.c.link.selfId;
  }

  /** Idempotent. Learns the transport's peers, announces itself, starts all timers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.c.clock.now();
    for (const p of this.c.link.peers()) if (p.path !== null) this.membership.table.addKnown(p.id, now);
    this.membership.announceSelf();
    const { clock, random } = this.c;
    const i = this.init;
    this.timers.push(clock.setInterval(() => this.guard(() => this.prober.tick()), i.probeIntervalMs));
    this.timers.push(clock.setInterval(() => this.guard(() => this.gossipTick()), i.gossipIntervalMs));
    // Spread push-pulls over the interval so a fleet that starts together does not sync in step.
    this.timers.push(
      clock.setTimeout(() => {
        this.guard(() => this.pushPullTick());
        this.timers.push(
          clock.setInterval(() => this.guard(() => this.pushPullTick()), i.pushPullIntervalMs),
        );
      }, random() * i.pushPullIntervalMs),
    );
    this.timers.push(clock.setInterval(() => this.guard(() => this.reconnectTick()), i.reconnectIntervalMs));
    this.timers.push(clock.setInterval(() => this.guard(() => this.membership.prune()), 60_000));
    // Join: sync with a few known members right away (memberlist: push-pull with the seeds).
    for (const m of this.membership.table.sample(JOIN_SYNCS, random, 'alive')) this.pushPull(m.id, false);
  }

  /** Idempotent. Cancels every timer and fetch; later packets are ignored. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    this.followUpTimer?.cancel();
    this.followUpTimer = null;
    this.membership.stop();
    this.notifications.stop();
  }

  onNotification(h: NotificationHandler): void {
    this.notifications.onNotification(h);
  }

  /** The manager verified and accepted this notification: announce it and serve it. */
  relay(id: string, bytes: Uint8Array, hdr: { uri: string; version: number }): boolean {
    return this.notifications.relay(id, bytes, hdr);
  }

  /** The manager refused it: never spread it. */
  refuse(id: string): void {
    this.notifications.refuse(id);
  }

  /** Publish this node's fleet-view state record (from the manager's `state`). */
  setState(s: Pick<StateRecord, 'applied' | 'current'>): StateRecord {
    return this.local.set(s);
  }

  /** Called for every newer state record learnt from another node (not our own). */
  onStateRecord(h: (r: StateRecord) => void): void {
    this.stateHandlers.push(h);
  }

  private gossipTick(): void {
    if (this.queue.size === 0) return;
    for (const m of this.membership.table.sample(this.init.gossipFanout, this.c.random, 'live'))
      this.out.gossip(m.id);
  }

  private pushPullTick(): void {
    const t = this.membership.table;
    const target = t.sample(1, this.c.random, 'alive')[0] ?? t.sample(1, this.c.random, 'dead')[0];
    if (target) this.pushPull(target.id, false);
  }

  private reconnectTick(): void {
    const dead = this.membership.table.sample(1, this.c.random, 'dead')[0];
    if (dead) this.pushPull(dead.id, false);
  }

  private pushPull(peer: string, reply: boolean): void {
    this.counters.pushPulls++;
    const digest = pickDigest(this.notifications.digest(), this.c.random);
    const notices = sampleNotices(this.c.revocations, this.c.random);
    const items = [...notices, ...syncItems(this.membership, this.fleet, peer, this.c.random)];
    this.out.send(peer, { type: 'push-pull', reply, digest }, items);
  }

  /**
   * A push-pull taught us members we did not know: sync again with another member soon
   * (at most one follow-up pending; one per probe interval), so a joining node or one
   * returning from a partition learns the whole membership in a few exchanges.
   */
  private followUp(): void {
    if (this.followUpTimer || !this.running) return;
    this.followUpTimer = this.c.clock.setTimeout(() => {
      this.followUpTimer = null;
      this.guard(() => this.pushPullTick());
    }, this.init.probeIntervalMs);
  }

  private onPeerChange(p: PeerView): void {
    if (!this.running || p.path === null || p.id === this.selfId) return;
    const now = this.c.clock.now();
    const m = this.membership.table.get(p.id);
    if (!m) return void this.membership.table.addKnown(p.id, now);
    if (m.status === 'dead' && now - m.toldAt >= this.init.probeIntervalMs) {
      m.toldAt = now; // the transport found a path again: sync now so either side can refute
      this.pushPull(p.id, false);
    }
  }

  private onPacket(from: string, payload: Uint8Array): void {
    if (!this.running || from === this.selfId) return;
    if (this.c.revocations?.isRevoked(from)) return void this.counters.badPackets++;
    const p = decodePacket(payload);
    if (!p) {
      this.counters.badPackets++;
      this.log.debug({ from, reason: 'undecodable', len: payload.length }, 'packet dropped');
      return;
    }
    this.guard(() => this.handle(from, p.body, p.items));
  }

  private handle(from: string, body: Body, items: Item[]): void {
    const now = this.c.clock.now();
    const table = this.membership.table;
    table.addKnown(from, now);
    const m = table.get(from);
    if (m) m.lastSeen = now;
    const known = table.size;
    for (const it of items) this.item(from, it);
    if (body.type === 'push-pull' && table.size > known) this.followUp();
    switch (body.type) {
      case 'ping':
        return this.prober.onPing(from, body.seq, body.target);
      case 'ack':
        return this.prober.onAck(from, body.seq);
      case 'ping-req':
        return this.prober.onPingReq(from, body.seq, body.target);
      case 'fetch':
        return this.notifications.serve(from, body.id, body.offset);
      case 'chunk':
        return this.notifications.fetcher.onChunk(
          from,
          body.id,
          body.offset,
          body.total,
          body.missing,
          body.data,
        );
      case 'push-pull':
        for (const e of body.digest) this.notifications.heard(e, from);
        if (!body.reply) this.pushPull(from, true);
        return;
      case 'gossip':
        return;
    }
  }

  private item(from: string, it: Item): void {
    if (it.kind === 'revoke') return void this.publishRevocation(it.notice);
    if (it.kind === 'member') {
      if (this.c.revocations?.isRevoked(it.id)) return;
      const out = this.membership.apply(it.status, it.id, it.incarnation, from);
      if (out === 'unproven' && it.status === 'alive') this.askDirectly(it.id);
      return;
    }
    if (it.kind === 'announce') return this.notifications.heard(it, from);
    if (it.record.node === this.selfId || !this.fleet.apply(it.record)) return;
    this.queue.push(`s:${it.record.node}`, encodeItem(it));
    for (const h of this.stateHandlers) h(it.record);
  }

  /**
   * We heard that `id` refuted beyond what it proved to us: ask it (a push-pull carries its
   * own claim, which counts whatever its size), at most once per probe interval per member.
   */
  private askDirectly(id: string): void {
    const m = this.membership.table.get(id);
    const now = this.c.clock.now();
    if (!m || now - m.toldAt < this.init.probeIntervalMs) return;
    m.toldAt = now;
    this.pushPull(id, false);
  }

  /** Timer and packet handlers never throw: a failure is counted and logged. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.counters.handlerErrors++;
      this.log.warn({ err }, 'gossip handler failed');
    }
  }
}
