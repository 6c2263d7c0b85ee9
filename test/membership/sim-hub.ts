/** An in-memory OverlayLink hub for membership tests: natm as SecureOverlay sees it (every node a direct peer). */
import assert from 'node:assert/strict';
import type { OverlayLink, PeerView } from '../../agent/lib/net/overlay-link.ts';

export class Hub {
  readonly #links = new Map<string, { deliver: (from: string, b: Uint8Array) => void }>();
  #queue: { from: string; to: string; bytes: Uint8Array }[] = [];
  /** Drops a packet when it returns true (lost in the network). */
  drop: (p: { from: string; to: string; bytes: Uint8Array }) => boolean = () => false;

  link(selfId: string): OverlayLink {
    const handlers: ((peerId: string, payload: Uint8Array) => void)[] = [];
    this.#links.set(selfId, { deliver: (from, b) => handlers.forEach((h) => h(from, b)) });
    return {
      selfId,
      send: (peerId, payload) => {
        if (!this.#links.has(peerId)) return false;
        this.#queue.push({ from: selfId, to: peerId, bytes: payload });
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
    for (let i = 0; i < max && this.#queue.length; i++) {
      const p = this.#queue.shift()!;
      if (!this.drop(p)) this.#links.get(p.to)?.deliver(p.from, p.bytes);
    }
    assert.equal(this.#queue.length, 0, 'hub: step bound reached');
  }
}
