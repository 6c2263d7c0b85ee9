/**
 * One stream connection (TCP or TLS) carrying datagrams as length-prefixed frames
 * (stream-frames.ts), used by both ends of the stream fallback. Bounds: a frame over
 * MAX_DATAGRAM or of 0 bytes closes the stream; so does `idleMs` without a complete frame
 * (a slowloris trickle of partial frames does not count as traffic); a frame is dropped
 * rather than queued when more than MAX_WRITE_BUFFER bytes wait to be written (a peer that
 * does not read cannot make us buffer). `onClose` runs once, with the reason.
 */
import type { Duplex } from 'node:stream';
import type { Clock, Timer } from '../common/clock.ts';
import { encodeFrame, FrameDecoder } from './stream-frames.ts';

export const MAX_WRITE_BUFFER = 64 * 1024;

export type CloseReason =
  | 'oversized_frame'
  | 'empty_frame'
  | 'idle'
  | 'peer_closed'
  | 'error'
  | 'local'
  | 'unauthenticated'
  | 'replaced';

export interface FramedStreamEvents {
  onFrame(frame: Uint8Array): void;
  onClose(reason: CloseReason): void;
}

export class FramedStream {
  private readonly decoder = new FrameDecoder();
  private idle: Timer | undefined;
  private closed = false;
  /** Frames dropped because the peer did not read (write buffer full). */
  dropped = 0;

  constructor(
    readonly socket: Duplex,
    private readonly clock: Clock,
    private readonly idleMs: number,
    private readonly ev: FramedStreamEvents,
  ) {
    this.arm();
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    socket.on('error', () => this.close('error'));
    socket.on('close', () => this.close('peer_closed'));
    socket.on('end', () => this.close('peer_closed'));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queue one datagram; false when closed or the peer is not reading (dropped). */
  send(datagram: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.socket.writableLength > MAX_WRITE_BUFFER) {
      this.dropped++;
      return false;
    }
    this.socket.write(encodeFrame(datagram));
    return true;
  }

  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.idle?.cancel();
    this.socket.destroy();
    this.ev.onClose(reason);
  }

  private arm(): void {
    this.idle?.cancel();
    this.idle = this.clock.setTimeout(() => this.close('idle'), this.idleMs);
  }

  private data(chunk: Buffer): void {
    if (this.closed) return;
    const r = this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    if (r.frames.length) this.arm();
    for (const f of r.frames) {
      if (this.closed) return;
      this.ev.onFrame(f);
    }
    if (!r.ok) this.close(r.reason);
  }
}
