/**
 * A node's view of its rendezvous servers and STUN servers: liveness (last authenticated
 * answer), the table-version cursor per rendezvous, and outstanding STUN transactions
 * (bounded; matched by transaction id, so a stray response is ignored).
 */
import { epKey, sameEp, type Endpoint } from '../lib/net/datagram.ts';
import { bindingRequest } from '../lib/wire/stun-codec.ts';

export interface RdvState {
  readonly ep: Endpoint;
  lastAck: number;
  known: number;
  /** Our endpoint as this rendezvous saw it (authenticated; differs per server behind symmetric NAT). */
  observed?: Endpoint;
  pages: number;
}

const MAX_STUN_PENDING = 32;

export class RendezvousClient {
  readonly rdvs: RdvState[];
  /** Last XOR-MAPPED-ADDRESS per STUN server ("host:port" → endpoint). */
  readonly mapped = new Map<string, Endpoint>();
  private readonly stunPending = new Map<string, Endpoint>();

  constructor(
    rendezvous: readonly Endpoint[],
    private readonly stunServers: readonly Endpoint[],
  ) {
    this.rdvs = rendezvous.map((ep) => ({ ep, lastAck: -Infinity, known: 0, pages: 0 }));
  }

  indexOf(from: Endpoint): number {
    return this.rdvs.findIndex((r) => sameEp(r.ep, from));
  }

  alive(i: number, now: number, timeoutMs: number): boolean {
    const r = this.rdvs[i];
    return !!r && now - r.lastAck <= timeoutMs;
  }

  anyAlive(now: number, timeoutMs: number): boolean {
    return this.rdvs.some((_, i) => this.alive(i, now, timeoutMs));
  }

  /** STUN Binding requests to every rendezvous and STUN server: [destination, bytes]. */
  stunRequests(): Array<[Endpoint, Uint8Array]> {
    const out: Array<[Endpoint, Uint8Array]> = [];
    for (const ep of [...this.rdvs.map((r) => r.ep), ...this.stunServers]) {
      const { txid, bytes } = bindingRequest();
      this.stunPending.set(txid.toString('hex'), ep);
      if (this.stunPending.size > MAX_STUN_PENDING)
        this.stunPending.delete(this.stunPending.keys().next().value!);
      out.push([ep, bytes]);
    }
    return out;
  }

  /** A Binding response: the mapped endpoint if it answers one of our requests from its server. */
  onStunResponse(txid: Buffer, mapped: Endpoint | undefined, from: Endpoint): Endpoint | null {
    const key = txid.toString('hex');
    const server = this.stunPending.get(key);
    if (!server || !sameEp(server, from) || !mapped) return null;
    this.stunPending.delete(key);
    this.mapped.set(epKey(server), mapped);
    return mapped;
  }
}
