/**
 * The one bounded binary codec of every binary wire format here: natm messages
 * (wire/messages.ts, docs/protocol/natm.md) and gossip packets (gossip/codec.ts,
 * docs/protocol/gossip.md). Integers are big-endian; `str` is u8 length + UTF-8
 * (≤ 255 bytes); `blob` is u16 length + bytes; `raw` is bytes of a length both sides
 * know; a "u53" is a safe integer as two u32 halves.
 *
 * Bounds: a Writer refuses to grow past its `limit` (the largest message of its format);
 * a Reader checks every length before it reads. Both throw CodecError, which a decoder
 * catches and turns into a drop: nothing past the decoder ever sees it.
 */
/** A value that does not fit the format (a RangeError): thrown by both Writer and Reader. */
export class CodecError extends RangeError {}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** The largest blob (u16 length). */
export const MAX_BLOB_BYTES = 0xffff;

export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private n = 0;

  private readonly limit: number;

  /** `limit`: the most bytes this message may take (default 64 KiB); `capacity`: the first allocation. */
  constructor(o: { limit?: number; capacity?: number } = {}) {
    this.limit = o.limit ?? MAX_BLOB_BYTES;
    this.buf = new Uint8Array(Math.min(this.limit, o.capacity ?? 64));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get len(): number {
    return this.n;
  }

  /** Reserves `k` bytes and returns where they start. */
  private room(k: number): number {
    if (this.n + k > this.limit) throw new CodecError(`message over ${this.limit} bytes`);
    if (this.n + k > this.buf.length) {
      const next = new Uint8Array(Math.min(this.limit, Math.max(this.buf.length * 2, this.n + k)));
      next.set(this.buf.subarray(0, this.n));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.n;
    this.n += k;
    return at;
  }

  // `room` may replace the buffer: take the offset before touching `this.view`.
  u8(v: number): this {
    const at = this.room(1);
    this.view.setUint8(at, v);
    return this;
  }
  u16(v: number): this {
    const at = this.room(2);
    this.view.setUint16(at, v);
    return this;
  }
  /** Out of range throws: a number never wraps into another one on the wire. */
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new CodecError(`not a u32: ${v}`);
    const at = this.room(4);
    this.view.setUint32(at, v);
    return this;
  }
  u53(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new CodecError(`not a non-negative safe integer: ${v}`);
    return this.u32(Math.floor(v / 2 ** 32)).u32(v % 2 ** 32);
  }
  f64(v: number): this {
    const at = this.room(8);
    this.view.setFloat64(at, v);
    return this;
  }
  /** Bytes of a length the reader knows (no length prefix). */
  raw(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  str(s: string): this {
    const b = enc.encode(s);
    if (b.length > 255) throw new CodecError(`string longer than 255 bytes: ${b.length}`);
    return this.u8(b.length).raw(b);
  }
  /** u16 length + bytes. */
  blob(b: Uint8Array): this {
    if (b.length > MAX_BLOB_BYTES)
      throw new CodecError(`blob longer than ${MAX_BLOB_BYTES} bytes: ${b.length}`);
    return this.u16(b.length).raw(b);
  }
  /** The written bytes without copying (valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }
  /** A copy of the written bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

export class Reader {
  private readonly view: DataView;
  private n = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.n;
  }
  private take(k: number): number {
    if (this.n + k > this.buf.length) throw new CodecError('truncated');
    const at = this.n;
    this.n += k;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.take(1));
  }
  u16(): number {
    return this.view.getUint16(this.take(2));
  }
  u32(): number {
    return this.view.getUint32(this.take(4));
  }
  u53(): number {
    const hi = this.u32();
    if (hi >= 2 ** 21) throw new CodecError('not a safe integer');
    return hi * 2 ** 32 + this.u32();
  }
  f64(): number {
    const v = this.view.getFloat64(this.take(8));
    if (!Number.isFinite(v)) throw new CodecError('not a finite number');
    return v;
  }
  /** `k` bytes of a known length, as a view into the input (copy it to keep it). */
  raw(k: number): Uint8Array {
    const at = this.take(k);
    return this.buf.subarray(at, at + k);
  }
  str(max = 255): string {
    const len = this.u8();
    if (len > max) throw new CodecError('string too long');
    const b = this.raw(len);
    let ascii = true;
    for (let i = 0; i < b.length && ascii; i++) ascii = b[i]! < 0x80;
    if (ascii) return String.fromCharCode(...b);
    try {
      return dec.decode(b);
    } catch {
      throw new CodecError('string is not UTF-8');
    }
  }
  /** u16 length + bytes, at most `max`; a copy, safe to keep. */
  blob(max = MAX_BLOB_BYTES): Uint8Array {
    const len = this.u16();
    if (len > max) throw new CodecError('blob too long');
    return this.raw(len).slice();
  }
  /** u8 count (at most `max`), then `count` items. */
  list<T>(max: number, item: () => T): T[] {
    const count = this.u8();
    if (count > max) throw new CodecError('list too long');
    return Array.from({ length: count }, item);
  }
  /** Throws unless every byte was read. */
  end(): void {
    if (this.n !== this.buf.length) throw new CodecError('trailing bytes');
  }
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}
