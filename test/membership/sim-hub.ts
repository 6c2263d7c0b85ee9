/**
 * OverlayLinks on the packet-stepping router (agent/lib/simnet/step-router.ts): natm as
 * SecureOverlay sees it, every node a direct peer of every other.
 */
import type { OverlayLink, PeerView } from '../../agent/lib/net/overlay-link.ts';
import { StepRouter, type RoutedPacket } from '../../agent/lib/simnet/step-router.ts';

export class Hub {
  readonly #links = new Map<string, { deliver: (from: string, b: Uint8Array) => void }>();
  readonly #router = new StepRouter('hub', (p) => this.#links.get(p.to)?.deliver(p.from, p.bytes));
  /** Drops a packet when it returns true (lost in the network). */
  drop: (p: RoutedPacket) => boolean = () => false;

  constructor() {
    this.#router.relay = (p) => (this.drop(p) ? null : p.bytes);
  }

  link(selfId: string): OverlayLink {
    const handlers: ((peerId: string, payload: Uint8Array) => void)[] = [];
    this.#links.set(selfId, { deliver: (from, b) => handlers.forEach((h) => h(from, b)) });
    return {
      selfId,
      send: (peerId, payload) => {
        if (!this.#links.has(peerId)) return false;
        this.#router.send(selfId, peerId, payload);
        return true;
      },
      onMessage: (h) => void handlers.push(h),
      peers: (): PeerView[] =>
        [...this.#links.keys()]
          .filter((id) => id !== selfId)
          .map((id) => ({ id, path: 'direct', lastSeen: 0 })),
      onPeerChange: () => undefined,
    };
  }

  run(max = 10_000): void {
    this.#router.run(max);
  }
}
