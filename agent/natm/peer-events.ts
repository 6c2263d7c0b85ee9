/**
 * What a NatmNode tells the layers above it (OverlayLink's `onMessage` and `onPeerChange`):
 * the handlers, and calling them so that a throwing handler is counted and logged, never
 * passed back into the receive path.
 */
import type { Logger } from '../lib/common/logger.ts';
import type { Counters } from '../lib/net/counters.ts';
import type { PeerView } from '../lib/net/overlay-link.ts';

export type MessageHandler = (peerId: string, payload: Uint8Array) => void;
export type PeerChangeHandler = (peer: PeerView) => void;

export class PeerEvents {
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly changeHandlers: PeerChangeHandler[] = [];

  constructor(private readonly deps: { counters: Counters; logger: Logger }) {}

  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }

  onPeerChange(handler: PeerChangeHandler): void {
    this.changeHandlers.push(handler);
  }

  /** An authenticated app payload from `peerId`. */
  deliver(peerId: string, payload: Uint8Array): void {
    this.deps.counters.inc('app_rx');
    for (const handler of this.messageHandlers) {
      try {
        handler(peerId, payload);
      } catch (err) {
        this.deps.counters.inc('app_handler_error');
        this.deps.logger.warn({ err, peer: peerId }, 'message handler threw');
      }
    }
  }

  /** `view` differs from what the handlers saw last. */
  changed(view: PeerView): void {
    for (const handler of this.changeHandlers) {
      try {
        handler(view);
      } catch (err) {
        this.deps.counters.inc('peer_handler_error');
        this.deps.logger.warn({ err, peer: view.id }, 'peer-change handler threw');
      }
    }
  }
}
