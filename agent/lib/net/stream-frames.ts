/**
 * Length-prefixed frames for the stream fallback (docs/protocol/natm.md §Stream fallback):
 * each frame is `u16 length (big-endian) ‖ bytes`, and its bytes are exactly one datagram
 * natm would have sent over UDP (a sealed packet or a STUN message). Frames of 0 bytes or
 * of more than MAX_DATAGRAM are refused: the decoder never buffers more than one frame.
 * Pure: bytes in, frames (or the reason to close the stream) out.
 */
import { MAX_DATAGRAM } from '../net/datagram.ts';

export const FRAME_HEADER = 2;

export function encodeFrame(datagram: Uint8Array): Uint8Array {
  if (datagram.length === 0 || datagram.length > MAX_DATAGRAM)
    throw new RangeError(`frame of ${datagram.length} bytes (1-${MAX_DATAGRAM})`);
  const out = new Uint8Array(FRAME_HEADER + datagram.length);
  out[0] = datagram.length >> 8;
  out[1] = datagram.length & 0xff;
  out.set(datagram, FRAME_HEADER);
  return out;
}

export type FrameResult =
  | { readonly ok: true; readonly frames: Uint8Array[] }
  | { readonly ok: false; readonly reason: 'oversized_frame' | 'empty_frame'; readonly frames: Uint8Array[] };

export class FrameDecoder {
  private buf = new Uint8Array(0);
  private failed = false;

  /** Bytes held while waiting for the rest of a frame (≤ FRAME_HEADER + MAX_DATAGRAM − 1). */
  get pending(): number {
    return this.buf.length;
  }

  /** The frames completed by `chunk`; after a refusal every later push is refused too. */
  push(chunk: Uint8Array): FrameResult {
    const frames: Uint8Array[] = [];
    if (this.failed) return { ok: false, reason: 'oversized_frame', frames };
    let data = this.buf.length ? concat(this.buf, chunk) : chunk;
    for (;;) {
      if (data.length < FRAME_HEADER) break;
      const len = (data[0]! << 8) | data[1]!;
      if (len === 0 || len > MAX_DATAGRAM) {
        this.failed = true;
        this.buf = new Uint8Array(0);
        return { ok: false, reason: len === 0 ? 'empty_frame' : 'oversized_frame', frames };
      }
      if (data.length < FRAME_HEADER + len) break;
      frames.push(new Uint8Array(data.subarray(FRAME_HEADER, FRAME_HEADER + len)));
      data = data.subarray(FRAME_HEADER + len);
    }
    this.buf = new Uint8Array(data);
    return { ok: true, frames };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
