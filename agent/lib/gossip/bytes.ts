/**
 * Bounded binary writer/reader for the gossip wire format (docs/protocol/gossip.md).
 * Integers are big-endian; strings are u8 length + UTF-8 (≤ 255 bytes); a "u53" is a
 * safe integer as two u32 halves. The reader throws `Short` on any overrun; only the
 * codec catches it (decode returns null, never throws to a packet handler).
 */
export class Short extends Error {}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  len = 0;

  constructor(capacity = 1200) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.room(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
    return this;
  }
  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
    return this;
  }
  /** Out of range throws: a number never wraps into another one on the wire. */
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`not a u32: ${v}`);
    this.room(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
    return this;
  }
  u53(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not a u53: ${v}`);
    return this.u32(Math.floor(v / 2 ** 32)).u32(v % 2 ** 32);
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  str(s: string): this {
    const b = enc.encode(s);
    if (b.length > 255) throw new RangeError(`string longer than 255 bytes: ${b.length}`);
    return this.u8(b.length).bytes(b);
  }
  /** u16 length + bytes. */
  blob(b: Uint8Array): this {
    if (b.length > 0xffff) throw new RangeError(`blob longer than 65535 bytes: ${b.length}`);
    return this.u16(b.length).bytes(b);
  }
  /** The written bytes without copying (valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class Reader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Short();
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  u53(): number {
    const hi = this.u32();
    if (hi >= 2 ** 21) throw new Short();
    return hi * 2 ** 32 + this.u32();
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  str(): string {
    const b = this.bytes(this.u8());
    let ascii = true;
    for (let i = 0; i < b.length && ascii; i++) ascii = b[i]! < 0x80;
    if (ascii) return String.fromCharCode(...b);
    try {
      return dec.decode(b);
    } catch {
      throw new Short();
    }
  }
  blob(): Uint8Array {
    return this.bytes(this.u16());
  }
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}
