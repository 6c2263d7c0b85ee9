/**
 * SecureLinks on the packet-stepping router (agent/lib/simnet/step-router.ts): every
 * packet passes one relay, which logs it and may alter or drop it, and is delivered to
 * the SecureLinks of the destination, whose answers go back into the queue.
 */
import type { Received, SecureLinks } from '../../agent/lib/membership/secure-links.ts';
import { StepRouter, type RoutedPacket } from '../../agent/lib/simnet/step-router.ts';

export type Packet = RoutedPacket;

export class SimNet {
  readonly nodes = new Map<string, SecureLinks>();
  readonly delivered: { at: string; peerId: string; text: string }[] = [];
  readonly drops: { at: string; code: string }[] = [];
  readonly #router = new StepRouter('SimNet', (p) => {
    const dest = this.nodes.get(p.to);
    if (dest) this.#handle(p.to, p.from, dest.receive(p.from, p.bytes));
  });

  /** Every packet the relay saw. */
  get seenByRelay(): Uint8Array[] {
    return this.#router.seen;
  }

  /** The relay's hook: return the bytes to forward (possibly altered) or null to drop. */
  set relay(fn: (p: Packet) => Uint8Array | null) {
    this.#router.relay = fn;
  }

  add(addr: string, links: SecureLinks): void {
    this.nodes.set(addr, links);
  }

  send(from: string, to: string, text: string, expectPeer?: string): void {
    for (const bytes of this.nodes.get(from)!.send(to, new TextEncoder().encode(text), expectPeer))
      this.#router.send(from, to, bytes);
  }

  /** Queues packets `from` made itself (e.g. SecureLinks.rehandshake). */
  inject(from: string, to: string, bytes: Uint8Array): void {
    this.#router.send(from, to, bytes);
  }

  /** Moves packets until none are left (bounded). */
  run(maxSteps = 10_000): void {
    this.#router.run(maxSteps);
  }

  #handle(at: string, from: string, r: Received): void {
    for (const b of r.send) this.#router.send(at, from, b);
    for (const d of r.deliver)
      this.delivered.push({ at, peerId: d.peerId, text: new TextDecoder().decode(d.payload) });
    if (r.dropped) this.drops.push({ at, code: r.dropped.code });
  }

  texts(at: string): string[] {
    return this.delivered.filter((d) => d.at === at).map((d) => d.text);
  }
}
