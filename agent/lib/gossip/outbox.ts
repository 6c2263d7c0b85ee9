/**
 * Builds and sends packets: the main message first, then the given extra items (targeted:
 * refutation hints, push-pull samples), then broadcasts from the queue until MAX_PACKET.
 * Counts what it sends per message type (for the "messages per node" bound).
 */
import { assemble, encodeBody, encodeItem } from './codec.ts';
import { MAX_PACKET, type Body, type Item } from './messages.ts';
import type { BroadcastQueue } from './broadcast-queue.ts';
import type { OverlayLink } from './overlay-link.ts';

export class Outbox {
  readonly sent: Record<Body['type'], number> = {
    ping: 0,
    ack: 0,
    'ping-req': 0,
    gossip: 0,
    fetch: 0,
    chunk: 0,
    'push-pull': 0,
  };
  noPath = 0;

  /**
   * `hint(peer)`: how we see `peer` if that is suspect/dead, piggybacked first on every
   * packet with piggyback to it, so it can refute (Lifeguard's "buddy system").
   */
  constructor(
    private readonly link: OverlayLink,
    private readonly queue: BroadcastQueue,
    private readonly hint: (peer: string) => Item | null,
  ) {}

  /** The link's payload limit (certificate sessions take 29 bytes of natm's 1100). */
  get maxPacket(): number {
    return Math.min(MAX_PACKET, this.link.maxPayload ?? MAX_PACKET);
  }

  send(peer: string, body: Body, extra: readonly Item[] = [], piggyback = true): boolean {
    const w = encodeBody(body);
    let budget = this.maxPacket - w.len - 1;
    const items: Uint8Array[] = [];
    const h = piggyback ? this.hint(peer) : null;
    for (const it of h ? [h, ...extra] : extra) {
      const b = encodeItem(it);
      if (b.length > budget || items.length >= 255) break;
      items.push(b);
      budget -= b.length;
    }
    if (piggyback) items.push(...this.queue.take(budget, 255 - items.length));
    return this.raw(peer, body.type, assemble(w, items));
  }

  /** A gossip packet carrying only queued broadcasts; not sent when there are none. */
  gossip(peer: string): boolean {
    if (this.queue.size === 0) return false;
    const w = encodeBody({ type: 'gossip' });
    const h = this.hint(peer);
    const first = h ? [encodeItem(h)] : [];
    const items = [...first, ...this.queue.take(this.maxPacket - w.len - 1 - (first[0]?.length ?? 0))];
    if (items.length === first.length) return false;
    return this.raw(peer, 'gossip', assemble(w, items));
  }

  total(): number {
    return Object.values(this.sent).reduce((a, b) => a + b, 0);
  }

  private raw(peer: string, type: Body['type'], bytes: Uint8Array): boolean {
    const ok = this.link.send(peer, bytes);
    if (ok) this.sent[type]++;
    else this.noPath++;
    return ok;
  }
}
