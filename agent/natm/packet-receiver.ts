/**
 * The receive path of a natm node, called inside Channel's try/catch with packets that
 * are authenticated, decoded and fresh (agent/lib/net/channel.ts). It dispatches on the
 * message type and on who sent it (a rendezvous, our bridge, a peer): a banned sender is
 * dropped (`drop_banned`, and if it is our bridge the uplink stops); a rendezvous counts
 * only under the id it was pinned to by a token echo (`drop_rdv_unpinned`; probes.ts);
 * an authenticated packet proves the endpoint it came from works (`learn`), but a peer not
 * proven by a credential enters the book only from an address that proved it receives
 * (return routability, `admit_unproven_address` otherwise), and a live proven path moves
 * only to a proven address; `data` and `forward` for us go up; a `forward` speaks for its
 * origin only when it comes from that origin, from the origin's own bridge, from a
 * rendezvous or from our bridge (`drop_forward_spoofed`). Every drop is counted.
 */
import type { Clock } from '../lib/common/clock.ts';
import type { AddressProof } from '../lib/net/address-proof.ts';
import type { Channel } from '../lib/net/channel.ts';
import type { Counters } from '../lib/net/counters.ts';
import { sameEp, type Endpoint } from '../lib/net/datagram.ts';
import { sourceKey } from '../lib/net/fair-share.ts';
import type { Body, Packet } from '../lib/wire/messages.ts';
import type { StunInfo } from '../lib/wire/stun-codec.ts';
import type { BridgeUplink } from './bridge-uplink.ts';
import type { HolePuncher } from './hole-puncher.ts';
import type { Liveness, PeerBook, PeerState } from './peer-book.ts';
import type { PeerEvents } from './peer-events.ts';
import type { Probes } from './probes.ts';
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
  proof: AddressProof;
  isBanned(peerId: string): boolean;
  live(): Liveness;
  touch(p: PeerState, liveness: Liveness): void;
}

export class PacketReceiver {
  constructor(
    private readonly deps: PacketReceiverComponents,
    private readonly cfg: { id: string; sourcePrefix: number },
    private readonly probes: Probes,
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
    const fromBridge = this.deps.uplink.isFrom(from);
    if (this.deps.isBanned(packet.sender)) {
      if (fromBridge) this.deps.uplink.banned(packet.sender);
      return counters.inc('drop_banned');
    }
    if (body.t === 'probe') {
      this.probes.onProbe(packet.sender, body, from, rdv, fromBridge);
      if (rdv < 0) this.learn(packet.sender, from, fromBridge);
      return;
    }
    if (rdv >= 0) {
      if (this.deps.rdv.pinnedId(rdv) !== packet.sender) return this.probes.unpinned(rdv, now);
      this.deps.rdv.heardFrom(rdv, now);
    }
    switch (body.t) {
      case 'table':
        if (rdv >= 0) return sync.onTable(rdv, body);
        if (fromBridge) return (this.learn(packet.sender, from, true), sync.onTable(-1, body));
        return counters.inc('drop_unexpected_table');
      case 'intro':
        return rdv >= 0 ? sync.onIntro(rdv, body) : counters.inc('drop_unexpected_intro');
      case 'data':
        this.learn(packet.sender, from, fromBridge);
        return this.deps.events.deliver(packet.sender, body.payload);
      case 'forward':
        return this.onForward(packet.sender, body, from, rdv >= 0, fromBridge);
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
    const bridge = this.deps.book.ensure(sender, 'bridge');
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

  private onForward(
    sender: string,
    fwd: Forward,
    from: Endpoint,
    fromRdv: boolean,
    fromBridge: boolean,
  ): void {
    const { book, counters } = this.deps;
    const trustedHop = fromRdv || fromBridge;
    if (this.deps.isBanned(fwd.origin) || this.deps.isBanned(fwd.dest)) return counters.inc('drop_banned');
    // Only the origin itself, its own bridge, a rendezvous or our bridge may speak for it.
    if (!trustedHop && fwd.origin !== sender && book.get(fwd.origin)?.via !== sender)
      return counters.inc('drop_forward_spoofed');
    if (fwd.dest !== this.cfg.id) return this.deps.router.forwardAsBridge(sender, fwd);
    if (!trustedHop) this.learn(sender, from, false);
    // Through our bridge every peer is reachable (bridged): keep the origin. Through a relay
    // its entry comes from the rendezvous's table, charged to where it registered.
    const origin = book.get(fwd.origin) ?? (fromBridge ? book.ensure(fwd.origin, 'bridge') : undefined);
    if (origin) book.seen(origin, this.deps.clock.now());
    this.deps.events.deliver(fwd.origin, fwd.payload);
  }

  /** An authenticated packet from `id` at `from`: that endpoint works (see the file comment for who may enter). */
  private learn(id: string, from: Endpoint, lan: boolean): PeerState | undefined {
    const { book, counters, proof } = this.deps;
    const now = this.deps.clock.now();
    let peer = book.get(id);
    if (!peer) {
      if (!book.isProven(id) && !proof.isProven(from)) return void counters.inc('admit_unproven_address');
      peer = book.ensure(id, sourceKey(from.address, this.cfg.sourcePrefix));
      if (!peer) return void counters.inc('drop_peers_full');
    }
    const liveness = this.deps.live();
    if (peer.ep && !sameEp(peer.ep, from) && book.endpointAlive(peer, liveness) && proof.isProven(peer.ep)) {
      if (!proof.isProven(from)) {
        // A live, proven path moves only to an address that proved it receives: ask it to.
        book.seen(peer, now);
        this.probes.challenge(from);
        return peer;
      }
    }
    book.heard(peer, from, now, lan || this.deps.router.isChild(id));
    if (this.deps.puncher.done(id)) counters.inc('punch_succeeded');
    this.deps.touch(peer, liveness);
    return peer;
  }
}
