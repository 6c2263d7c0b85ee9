/**
 * The receive path of a natm node, called inside Channel's try/catch with packets that
 * are authenticated, decoded and fresh (agent/lib/net/channel.ts). It dispatches on the
 * message type and on who sent it (a rendezvous, our bridge, a peer): a banned sender is
 * dropped (`drop_banned`, and if it is our bridge the uplink stops); an authenticated
 * packet proves the endpoint it came from (`learn`); `data` and `forward` for us go up;
 * a `forward` speaks for its origin only when it comes from that origin, from the
 * origin's own bridge, from a rendezvous or from our bridge (`drop_forward_spoofed`).
 * Every drop is counted.
 */
import type { Clock } from '../lib/common/clock.ts';
import type { Channel } from '../lib/net/channel.ts';
import type { Counters } from '../lib/net/counters.ts';
import { sameEp, type Endpoint } from '../lib/net/datagram.ts';
import type { Body, Packet } from '../lib/wire/messages.ts';
import type { StunInfo } from '../lib/wire/stun-codec.ts';
import type { BridgeUplink } from './bridge-uplink.ts';
import type { HolePuncher } from './hole-puncher.ts';
import type { Liveness, PeerBook, PeerState } from './peer-book.ts';
import type { PeerEvents } from './peer-events.ts';
import type { RendezvousClient } from './rendezvous-client.ts';
import type { RendezvousSync } from './rendezvous-sync.ts';
import type { Forward, Router } from './router.ts';

export interface PacketReceiverComponents {
  channel: Channel;
  book: PeerBook;
  rdv: RendezvousClient;
  router: Router;
  puncher: HolePuncher;
  uplink: BridgeUplink;
  sync: RendezvousSync;
  events: PeerEvents;
  counters: Counters;
  clock: Clock;
  isBanned(peerId: string): boolean;
  live(): Liveness;
  touch(p: PeerState, liveness: Liveness): void;
}

export class PacketReceiver {
  constructor(
    private readonly deps: PacketReceiverComponents,
    private readonly selfId: string,
  ) {}

  onStun(stun: StunInfo, from: Endpoint): void {
    const { counters, rdv, sync } = this.deps;
    if (stun.kind !== 'response') return counters.inc('drop_stun_unexpected');
    const mapped = rdv.onStunResponse(stun.txid, stun.mapped, from);
    if (!mapped) return counters.inc('drop_stun_unmatched');
    counters.inc('stun_responses');
    // Only a rendezvous's answer speaks for our overlay mapping; a change makes us re-register now.
    if (rdv.indexOf(from) >= 0 && sync.external && !sameEp(mapped, sync.external)) sync.registerAll();
  }

  onPacket(packet: Packet, from: Endpoint): void {
    const { counters, sync } = this.deps;
    const body = packet.body;
    const rdv = this.deps.rdv.indexOf(from);
    const now = this.deps.clock.now();
    if (rdv >= 0) this.deps.rdv.heardFrom(rdv, now);
    const fromBridge = this.deps.uplink.isFrom(from);
    if (this.deps.isBanned(packet.sender)) {
      if (fromBridge) this.deps.uplink.banned(packet.sender);
      return counters.inc('drop_banned');
    }
    switch (body.t) {
      case 'table':
        if (rdv >= 0) return sync.onTable(rdv, body);
        if (fromBridge) return (this.learn(packet.sender, from, true), sync.onTable(-1, body));
        return counters.inc('drop_unexpected_table');
      case 'intro':
        return rdv >= 0 ? sync.onIntro(rdv, body) : counters.inc('drop_unexpected_intro');
      case 'probe':
        if (rdv >= 0) return;
        this.learn(packet.sender, from, fromBridge);
        if (!body.ack) this.deps.channel.send(from, { t: 'probe', token: body.token, ack: true });
        return;
      case 'data':
        this.learn(packet.sender, from, fromBridge);
        return this.deps.events.deliver(packet.sender, body.payload);
      case 'forward':
        return this.onForward(packet.sender, body, from, rdv >= 0 || fromBridge);
      case 'child-hello':
        return this.onChildHello(packet.sender, body.internals, from);
      case 'child-ack':
        if (!fromBridge) return counters.inc('drop_unexpected_child_ack');
        return this.onChildAck(packet.sender, from, now);
      default:
        return counters.inc(`drop_unexpected_${(body as Body).t}`);
    }
  }

  private onChildAck(sender: string, from: Endpoint, now: number): void {
    this.deps.uplink.acked(sender, now);
    // The bridge's own table entry may never reach us (a rendezvous does not push a
    // node its own entry): its LAN endpoint is the one we dial.
    const bridge = this.deps.book.ensure(sender);
    if (bridge && bridge.internals.length === 0) this.deps.book.setInternals(bridge, [from]);
    this.learn(sender, from, true);
  }

  private onChildHello(sender: string, internals: Endpoint[], from: Endpoint): void {
    const { router, channel } = this.deps;
    if (!router.admitChild(sender, from)) return;
    const peer = this.learn(sender, from, true);
    if (peer) this.deps.book.setInternals(peer, internals);
    channel.send(from, { t: 'child-ack' });
    const entries = router.nextPageFor(sender);
    if (entries.length) channel.send(from, { t: 'table', version: 0, more: false, push: true, entries });
  }

  private onForward(sender: string, fwd: Forward, from: Endpoint, trustedHop: boolean): void {
    const { book, counters } = this.deps;
    if (this.deps.isBanned(fwd.origin) || this.deps.isBanned(fwd.dest)) return counters.inc('drop_banned');
    // Only the origin itself, its own bridge, a rendezvous or our bridge may speak for it.
    if (!trustedHop && fwd.origin !== sender && book.get(fwd.origin)?.via !== sender)
      return counters.inc('drop_forward_spoofed');
    if (fwd.dest !== this.selfId) return this.deps.router.forwardAsBridge(sender, fwd);
    if (!trustedHop) this.learn(sender, from, false);
    const origin = book.ensure(fwd.origin);
    if (origin) book.seen(origin, this.deps.clock.now());
    this.deps.events.deliver(fwd.origin, fwd.payload);
  }

  /** An authenticated packet from `id` at `from`: that endpoint works. */
  private learn(id: string, from: Endpoint, lan: boolean): PeerState | undefined {
    const { book, counters } = this.deps;
    const peer = book.ensure(id);
    if (!peer) return void counters.inc('drop_peers_full');
    book.heard(peer, from, this.deps.clock.now(), lan || this.deps.router.isChild(id));
    if (this.deps.puncher.done(id)) counters.inc('punch_succeeded');
    this.deps.touch(peer, this.deps.live());
    return peer;
  }
}
