/**
 * A hostile member for simulations: it holds a place in the fleet (a link, an id the others
 * know) but runs no protocol; a test makes it send whatever packets it forges, and answer
 * what it hears (`onPacket`) as it likes. It is the compromised node of docs/security.md:
 * inside the overlay, with valid transport keys.
 */
import { decodePacket, encodePacket } from '../codec.ts';
import type { Body, Item, Packet } from '../messages.ts';
import type { SimCluster } from './cluster.ts';

export class HostileMember {
  constructor(
    private readonly cluster: SimCluster,
    readonly id: string,
  ) {
    cluster.node(id).stop(); // from now on its link only carries what the test forges
  }

  /** The honest members (everyone but this one). */
  get others(): string[] {
    return this.cluster.ids.filter((x) => x !== this.id);
  }

  send(to: string, items: Item[], body: Body = { type: 'gossip' }): void {
    this.cluster.net.links.get(this.id)!.send(to, encodePacket({ body, items }));
  }

  /** The same forged packet to every honest member. */
  sendAll(items: Item[], body: Body = { type: 'gossip' }): void {
    for (const to of this.others) this.send(to, items, body);
  }

  /** Every packet the others send it (decoded; undecodable ones are skipped). */
  onPacket(handler: (from: string, p: Packet) => void): void {
    this.cluster.net.links.get(this.id)!.onMessage((from, bytes) => {
      const p = decodePacket(bytes);
      if (p) handler(from, p);
    });
  }
}
