/**
 * A node's view of its rendezvous servers and STUN servers: liveness (last authenticated
 * answer), the table-version cursor and page count per rendezvous, our endpoint as each
 * one observed it, and outstanding STUN transactions (bounded; matched by transaction id,
 * so a stray response is ignored). Servers are named by their index in the config list.
 */
import { epKey, sameEp, type Endpoint } from '../lib/net/datagram.ts';
import { bindingRequest } from '../lib/wire/stun-codec.ts';

interface RdvState {
  readonly ep: Endpoint;
  /**
   * The sender id (its key, in open mode) that echoed our token from this endpoint: the only
   * one whose tables and introductions we take (a packet from a spoofed rendezvous address
   * under another key is dropped). A restarted rendezvous (new key) is pinned again the same way.
   */
  pinned?: string;
  lastAck: number;
  known: number;
  /** Our endpoint as this rendezvous saw it (authenticated; differs per server behind symmetric NAT). */
  observed?: Endpoint;
  pages: number;
}

export interface RdvSnapshot extends Readonly<RdvState> {
  readonly alive: boolean;
}

const MAX_STUN_PENDING = 32;

export class RendezvousClient {
  private readonly rdvs: RdvState[];
  /** Last XOR-MAPPED-ADDRESS per STUN server ("host:port" → endpoint). */
  readonly mapped = new Map<string, Endpoint>();
  private readonly stunPending = new Map<string, Endpoint>();

  constructor(
    rendezvous: readonly Endpoint[],
    private readonly stunServers: readonly Endpoint[],
  ) {
    this.rdvs = rendezvous.map((ep) => ({ ep, lastAck: -Infinity, known: 0, pages: 0 }));
  }

  /** How many rendezvous servers are configured (indexes 0..count-1). */
  get count(): number {
    return this.rdvs.length;
  }

  indexOf(from: Endpoint): number {
    return this.rdvs.findIndex((r) => sameEp(r.ep, from));
  }

  endpoint(index: number): Endpoint {
    return this.rdvs[index]!.ep;
  }

  /** The id pinned for rendezvous `index` (undefined until one echoed our token). */
  pinnedId(index: number): string | undefined {
    return this.rdvs[index]!.pinned;
  }

  /** Rendezvous `index` proved, under `id`, that it receives what we send it: pin `id`. */
  pin(index: number, id: string): void {
    this.rdvs[index]!.pinned = id;
  }

  /** An authenticated packet from rendezvous `index` at `now`. */
  heardFrom(index: number, now: number): void {
    this.rdvs[index]!.lastAck = now;
  }

  alive(index: number, now: number, timeoutMs: number): boolean {
    const server = this.rdvs[index];
    return !!server && now - server.lastAck <= timeoutMs;
  }

  anyAlive(now: number, timeoutMs: number): boolean {
    return this.rdvs.some((_, index) => this.alive(index, now, timeoutMs));
  }

  /** The table version we hold from rendezvous `index` (sent in `register`). */
  known(index: number): number {
    return this.rdvs[index]!.known;
  }

  /** A keepalive round starts: every rendezvous may send its first table page again. */
  newRound(): void {
    for (const server of this.rdvs) server.pages = 0;
  }

  /**
   * A (non-push) table page of `version` from rendezvous `index`; true if we may ask for the
   * next page in this round (`more` pages, and fewer than `pagesPerRound` asked so far).
   */
  tableRead(index: number, version: number, more: boolean, pagesPerRound: number): boolean {
    const server = this.rdvs[index]!;
    server.known = version;
    return more && ++server.pages < pagesPerRound;
  }

  /** Rendezvous `i` saw us at `ep`; returns what it saw before (undefined the first time). */
  observe(index: number, ep: Endpoint): Endpoint | undefined {
    const server = this.rdvs[index]!;
    const prev = server.observed;
    server.observed = ep;
    return prev;
  }

  snapshot(now: number, timeoutMs: number): RdvSnapshot[] {
    return this.rdvs.map((server, index) => ({ ...server, alive: this.alive(index, now, timeoutMs) }));
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
