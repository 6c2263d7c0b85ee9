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
import { BroadcastQueue } from './broadcast-queue.ts';
import { ClockOffsets } from './clock-offsets.ts';
import { decodePacket, encodeItem } from './codec.ts';
import { resolveGossipInit, type GossipInit } from './config.ts';
import { FleetSize } from './fleet-size.ts';
import { FleetStates } from './fleet-states.ts';
import { SwimMembership } from './swim-membership.ts';
import type { Body, Item, StateRecord } from './messages.ts';
import { LocalState, type NodeOutcomes } from './local-state.ts';
import { Notifications, type NotificationHandler } from './notifications.ts';
import { Outbox } from './outbox.ts';
import type { OverlayLink, PeerView } from './overlay-link.ts';
import { Prober } from './prober.ts';
import { RttEstimator } from './rtt.ts';
import type { RecordAuth } from './record-auth.ts';
import type { RevocationSink } from './revocations.ts';
import { Syncer } from './syncer.ts';

const JOIN_SYNCS = 3;

export interface GossipComponents {
  link: OverlayLink;
  clock: Clock;
  random: () => number;
  logger?: Logger;
  /** With certificates: checks and keeps revocation notices (revocations.ts). */
  revocations?: RevocationSink;
  /** With certificates: signs this node's state record and checks the others' (record-auth.ts). */
  records?: RecordAuth;
}

export class GossipNode {
  readonly init: Readonly<GossipInit>;
  readonly queue: BroadcastQueue;
  readonly membership: SwimMembership;
  readonly notifications: Notifications;
  readonly fleet: FleetStates;
  /** Fleet-size estimate for the retransmit limit, and the round trip of probe acks. */
  readonly fleetSize: FleetSize;
  readonly rtt = new RttEstimator();
  readonly out: Outbox;
  /** This node's own record (manager state, agent version, BitTorrent port, haves). */
  readonly local: LocalState;
  /** When each node was last heard from (bounded by maxMembers; outlives the member table). */
  readonly heard = new Map<string, number>();
  /** Our clock against the members' (from their ACKs): `clocks.estimate(now)`. */
  readonly clocks: ClockOffsets;
  private readonly prober: Prober;
  private readonly sync: Syncer;
  private readonly log: Logger;
  private timers: Timer[] = [];
  private running = false;
  private readonly stateHandlers: ((r: StateRecord) => void)[] = [];
  counters = { badPackets: 0, handlerErrors: 0, revocations: 0, badNotices: 0 };

  constructor(
    readonly c: GossipComponents,
    init: Partial<GossipInit> = {},
  ) {
    this.init = resolveGossipInit(init);
    this.log = (c.logger ?? silentLogger()).child({ component: 'gossip' });
    this.clocks = new ClockOffsets({ boundMs: this.init.clockSkewMaxMs });
    const self = c.link.selfId;
    const live = () => this.membership.table.live();
    this.fleetSize = new FleetSize({ clock: c.clock, selfId: self, live }, this.init);
    this.queue = new BroadcastQueue(
      { maxItems: this.init.maxBroadcasts, retransmitMult: this.init.retransmitMult },
      () => this.fleetSize.estimate(),
    );
    this.fleet = new FleetStates(
      { clock: c.clock, auth: c.records, isMember: (id) => this.membership.table.get(id) !== undefined },
      {
        max: this.init.maxMembers,
        maxAheadMs: this.init.maxRecordAheadMs,
        maxAgeMs: this.init.maxRecordAgeMs,
      },
    );
    this.local = new LocalState(
      { selfId: self, clock: c.clock, fleet: this.fleet, queue: this.queue, auth: c.records },
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
        send: (peer, body) => {
          if (!this.running) return;
          const withSketch = body.type === 'ping' || body.type === 'ack';
          this.out.send(peer, withSketch ? { ...body, sketch: this.fleetSize.sketch() } : body);
        },
        failed: (id, inc) => void (this.running && this.membership.probeFailed(id, inc)),
        rtt: (ms) => this.rtt.sample(ms),
        clockSample: (peer, sentAt, time) => void this.clocks.sample(peer, sentAt, time, c.clock.now()),
      },
      this.init,
    );
    this.notifications = new Notifications(
      {
        clock: c.clock,
        requestChunk: (peer, id, offset) =>
          void this.out.send(peer, { type: 'fetch', id, offset }, [], false),
        firstRto: () => this.rtt.rto(0, this.init.chunkTimeoutMs),
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
    this.sync = new Syncer(
      {
        ...c,
        membership: this.membership,
        fleet: this.fleet,
        notifications: this.notifications,
        out: this.out,
        guard: (fn) => this.guard(fn),
      },
      this.init,
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
    const every = (ms: number, fn: () => void) =>
      this.timers.push(clock.setInterval(() => this.guard(fn), ms));
    every(i.probeIntervalMs, () => this.prober.tick());
    every(i.gossipIntervalMs, () => this.gossipTick());
    // Spread push-pulls over the interval so a fleet that starts together does not sync in step.
    this.timers.push(
      clock.setTimeout(() => {
        this.guard(() => this.sync.tick());
        every(i.pushPullIntervalMs, () => this.sync.tick());
      }, random() * i.pushPullIntervalMs),
    );
    every(i.reconnectIntervalMs, () => this.sync.reconnect());
    every(60_000, () => {
      this.membership.prune();
      this.fleet.prune();
    });
    every(i.stateRefreshMs, () => this.local.refresh());
    // Join: sync with a few known members right away (memberlist: push-pull with the seeds).
    for (const m of this.membership.table.sample(JOIN_SYNCS, random, 'alive')) this.sync.send(m.id, false);
  }

  /** Idempotent. Cancels every timer and fetch; later packets are ignored. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    this.sync.stop();
    this.membership.stop();
    this.notifications.stop();
  }

  onNotification(h: NotificationHandler): void {
    this.notifications.onNotification(h);
  }

  /** A manager (re)connected: hand it every notification offered but not answered yet. */
  reoffer(): number {
    return this.notifications.reoffer();
  }

  /** The manager verified and accepted this notification: announce it and serve it. */
  relay(id: string, bytes: Uint8Array, hdr: { uri: string; version: number }): boolean {
    return this.notifications.relay(id, bytes, hdr);
  }

  /** The manager refused it (`code`: its refusal code): never spread it. */
  refuse(id: string, code?: string): void {
    this.notifications.refuse(id, code);
  }

  /** Publish this node's fleet-view state record (from the manager's `state`). */
  setState(s: NodeOutcomes): StateRecord {
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

  private onPeerChange(p: PeerView): void {
    if (!this.running || p.path === null || p.id === this.selfId) return;
    const now = this.c.clock.now();
    const m = this.membership.table.get(p.id);
    if (!m) return void this.membership.table.addKnown(p.id, now);
    if (m.status === 'dead') this.sync.ask(p.id); // a path came back: sync so either side can refute
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
    this.heard.delete(from);
    this.heard.set(from, now);
    if (this.heard.size > this.init.maxMembers) this.heard.delete(this.heard.keys().next().value!);
    const known = table.size;
    for (const it of items) this.item(from, it);
    if (body.type === 'push-pull' && table.size > known && this.running) this.sync.followUp();
    if ((body.type === 'ping' || body.type === 'ack') && body.sketch) this.fleetSize.merge(body.sketch);
    switch (body.type) {
      case 'ping':
        return this.prober.onPing(from, body.seq, body.target);
      case 'ack':
        return this.prober.onAck(from, body.seq, body.time);
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
        if (!body.reply) this.sync.send(from, true);
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
      if (out === 'unproven' && it.status === 'alive') this.sync.ask(it.id); // its own claim counts
      return;
    }
    if (it.kind === 'announce') return this.notifications.heard(it, from);
    if (it.record.node === this.selfId || !this.fleet.accept(it)) return;
    const { sig } = this.fleet.entry(it.record.node)!;
    this.queue.push(`s:${it.record.node}`, encodeItem({ kind: 'state', record: it.record, sig }));
    for (const h of this.stateHandlers) h(it.record);
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
