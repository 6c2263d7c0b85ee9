/**
 * One UDP socket, two protocols: STUN (plain, RFC 5389) and sealed natm packets. Inbound
 * datagrams are checked cheapest first — size, STUN?, envelope (AEAD or signature),
 * decode, sender id vs signing key, replay —
 * and every drop is counted as `drop_<reason>`. Handlers run inside try/catch: nothing
 * a peer sends can throw out of the socket callback. Used by natm nodes and rendezvous.
 * With `proof` (address-proof.ts), every authenticated datagram credits its source and a
 * send to an endpoint that has not proven it receives spends that credit: refused without
 * (`tx_unproven`), so no source address gets more bytes than it sent until it echoes a token.
 */
import type { Clock } from '../common/clock.ts';
import { ConfigError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { AddressProof } from './address-proof.ts';
import type { Counters } from './counters.ts';
import { MAX_DATAGRAM, type DatagramSocket, type Endpoint } from './datagram.ts';
import type { PacketSealer } from '../wire/envelope/sealer.ts';
import { ReplayGuard } from '../wire/envelope/replay-guard.ts';
import { type Body, decodePacket, encodePacket, type Packet } from '../wire/messages.ts';
import { decodeStun, looksLikeStun, type StunInfo } from '../wire/stun-codec.ts';

export interface ChannelComponents {
  socket: DatagramSocket;
  sealer: PacketSealer;
  clock: Clock;
  counters: Counters;
  logger: Logger;
  /**
   * Checked before the envelope is opened: false drops the datagram as `drop_source_rate`.
   * An open rendezvous bounds signature checks per source address with it.
   */
  admit?: (from: Endpoint, now: number) => boolean;
  /** Return routability and the per-address byte budget (absent: every address may be sent anything). */
  proof?: AddressProof;
}

export type PacketHandler = (p: Packet, from: Endpoint) => void;
export type StunHandler = (s: StunInfo, from: Endpoint) => void;

export class Channel {
  private seq = 0;
  private epoch: number;
  private readonly replay: ReplayGuard;
  private onPacket: PacketHandler = () => {};
  private onStun: StunHandler = () => {};

  constructor(
    private readonly c: ChannelComponents,
    readonly selfId: string,
    maxSenders = 4096,
  ) {
    if (c.sealer.signerId !== undefined && c.sealer.signerId !== selfId)
      throw new ConfigError(`id "${selfId}" must be ${c.sealer.signerId}, the node id of this node's key`);
    this.epoch = c.clock.now();
    this.replay = new ReplayGuard(maxSenders);
    c.socket.onMessage((d, from) => this.receive(d, from));
  }

  handle(onPacket: PacketHandler, onStun: StunHandler): void {
    this.onPacket = onPacket;
    this.onStun = onStun;
  }

  /** Seal and send; false (counted) if it does not encode, e.g. too large. */
  send(to: Endpoint, body: Body): boolean {
    try {
      if (this.seq > 0xffffffff) this.newEpoch();
      const plain = encodePacket({ sender: this.selfId, epoch: this.epoch, seq: this.seq++, body });
      const sealed = this.c.sealer.seal(plain);
      if (sealed.length > MAX_DATAGRAM) throw new Error('sealed packet over MAX_DATAGRAM');
      if (this.c.proof && !this.c.proof.spend(to, sealed.length)) {
        this.c.counters.inc('tx_unproven');
        return false;
      }
      this.c.socket.send(sealed, to);
      this.c.counters.inc(`tx_${body.t}`);
      return true;
    } catch (e) {
      this.c.counters.inc('tx_error');
      this.c.logger.debug({ err: e, to, type: body.t }, 'send failed');
      return false;
    }
  }

  /** The u32 counter is spent: a newer epoch starts a fresh replay window at every receiver. */
  private newEpoch(): void {
    this.epoch = Math.max(this.c.clock.now(), this.epoch + 1);
    this.seq = 0;
  }

  sendRaw(to: Endpoint, bytes: Uint8Array): void {
    this.c.socket.send(bytes, to);
  }

  private drop(reason: string, from: Endpoint): void {
    this.c.counters.inc(`drop_${reason}`);
    this.c.logger.debug({ from, reason }, 'packet dropped');
  }

  private receive(data: Uint8Array, from: Endpoint): void {
    try {
      this.c.counters.inc('rx_datagrams');
      if (data.length > MAX_DATAGRAM) return this.drop('oversized', from);
      if (looksLikeStun(data)) {
        const s = decodeStun(data);
        if (!s) return this.drop('bad_stun', from);
        return this.onStun(s, from);
      }
      if (this.c.admit && !this.c.admit(from, this.c.clock.now())) return this.drop('source_rate', from);
      const opened = this.c.sealer.open(data);
      if (!opened.ok) return this.drop(opened.reason, from);
      const d = decodePacket(opened.plain);
      if (!d.ok) return this.drop(d.reason, from);
      const p = d.packet;
      // Signed frames (certificate mode): the sender id must be the one the key derives to.
      if (opened.signer !== undefined && opened.signer !== p.sender)
        return this.drop('signer_mismatch', from);
      if (p.sender === this.selfId) return this.drop('self', from);
      if (!this.replay.accept(p.sender, p.epoch, p.seq, this.c.clock.now())) return this.drop('replay', from);
      this.c.proof?.received(from, data.length);
      this.c.socket.markAuthenticated?.(from);
      this.c.counters.inc(`rx_${p.body.t}`);
      this.onPacket(p, from);
    } catch (e) {
      this.drop('handler_error', from);
      this.c.logger.warn({ err: e, from }, 'packet handler failed');
    }
  }
}
