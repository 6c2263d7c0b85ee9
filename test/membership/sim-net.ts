/**
 * A minimal in-memory datagram network for membership tests: every packet passes through
 * one relay, which logs it and may alter or drop it, and is delivered to the SecureLinks
 * of the destination. Driven step by step; no sockets, no sleeps.
 */
import type { Received, SecureLinks } from '../../agent/lib/membership/secure-links.ts';

export interface Packet {
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
}

export class SimNet {
  readonly nodes = new Map<string, SecureLinks>();
  readonly seenByRelay: Uint8Array[] = [];
  readonly delivered: { at: string; peerId: string; text: string }[] = [];
  readonly drops: { at: string; code: string }[] = [];
  #queue: Packet[] = [];
  /** The relay's hook: return the bytes to forward (possibly altered) or null to drop. */
  relay: (p: Packet) => Uint8Array | null = (p) => p.bytes;

  add(addr: string, links: SecureLinks): void {
    this.nodes.set(addr, links);
  }

  send(from: string, to: string, text: string, expectPeer?: string): void {
    for (const bytes of this.nodes.get(from)!.send(to, new TextEncoder().encode(text), expectPeer))
      this.#queue.push({ from, to, bytes });
  }

  /** Queues packets `from` made itself (e.g. SecureLinks.rehandshake). */
  inject(from: string, to: string, bytes: Uint8Array): void {
    this.#queue.push({ from, to, bytes });
  }

  /** Moves packets until none are left (bounded). */
  run(maxSteps = 10_000): void {
    for (let i = 0; i < maxSteps && this.#queue.length > 0; i++) {
      const p = this.#queue.shift()!;
      this.seenByRelay.push(p.bytes);
      const bytes = this.relay(p);
      const dest = this.nodes.get(p.to);
      if (!bytes || !dest) continue;
      this.#handle(p.to, p.from, dest.receive(p.from, bytes));
    }
    if (this.#queue.length > 0) throw new Error('SimNet: step bound reached');
  }

  #handle(at: string, from: string, r: Received): void {
    for (const b of r.send) this.#queue.push({ from: at, to: from, bytes: b });
    for (const d of r.deliver)
      this.delivered.push({ at, peerId: d.peerId, text: new TextDecoder().decode(d.payload) });
    if (r.dropped) this.drops.push({ at, code: r.dropped.code });
  }

  texts(at: string): string[] {
    return this.delivered.filter((d) => d.at === at).map((d) => d.text);
  }
}
