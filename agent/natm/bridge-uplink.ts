/**
 * A bridge child's link to its bridge (config `bridgeVia`, a LAN endpoint): a `child-hello`
 * every keepalive, with a probe so the bridge can see that we receive at our address (it
 * admits a child only then: probes.ts), the bridge's `child-ack` (which names its node id
 * and keeps the link up), and what happens when that bridge is banned (revoked): no more
 * hellos, no bridged path, and one warning in the log (the node needs another `bridgeVia`).
 */
import type { Logger } from '../lib/common/logger.ts';
import type { AddressProof } from '../lib/net/address-proof.ts';
import type { Channel } from '../lib/net/channel.ts';
import { sameEp, type Endpoint } from '../lib/net/datagram.ts';

export interface BridgeUplinkComponents {
  channel: Channel;
  logger: Logger;
  proof: AddressProof;
  isBanned(peerId: string): boolean;
}

export class BridgeUplink {
  private lastAck = -Infinity;
  /** Our bridge's node id (from its child-ack, or a packet from its endpoint). */
  private bridgeId: string | undefined;
  private bannedTold = false;

  constructor(
    private readonly deps: BridgeUplinkComponents,
    /** Our bridge's LAN endpoint; undefined when this node is no bridge child. */
    readonly via: Endpoint | undefined,
  ) {}

  /** Did this datagram come from our bridge's endpoint? */
  isFrom(from: Endpoint): boolean {
    return !!this.via && sameEp(from, this.via);
  }

  /** Is `peerId` our bridge? */
  isBridge(peerId: string): boolean {
    return peerId === this.bridgeId;
  }

  /** Keepalive: say hello to the bridge (and probe it, unless `probe` is false), unless it is banned. */
  hello(internals: Endpoint[], probe = true): void {
    if (!this.via || (this.bridgeId !== undefined && this.deps.isBanned(this.bridgeId))) return;
    this.deps.channel.send(this.via, { t: 'child-hello', internals });
    const token = this.deps.proof.token(this.via);
    if (probe) this.deps.channel.send(this.via, { t: 'probe', token, ack: false, echo: 0 });
  }

  /** The bridge `peerId` acknowledged our hello at `now`. */
  acked(peerId: string, now: number): void {
    this.lastAck = now;
    this.bridgeId = peerId;
  }

  /** Our bridge answered within `timeoutMs` (the caller uses it only while no rendezvous answers). */
  up(now: number, timeoutMs: number): boolean {
    return !!this.via && now - this.lastAck <= timeoutMs;
  }

  /** Our own bridge is banned (`peerId` names it when a packet from it told us): stop using it, say so once. */
  banned(peerId?: string): void {
    if (peerId !== undefined) this.bridgeId = peerId;
    this.lastAck = -Infinity;
    if (this.bannedTold) return;
    this.bannedTold = true;
    this.deps.logger.warn(
      { peer: this.bridgeId, bridgeVia: this.via },
      'our bridge is banned (revoked): not using it; set another bridgeVia',
    );
  }
}
