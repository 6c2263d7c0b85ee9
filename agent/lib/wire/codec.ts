/**
 * A tiny bounded binary codec for the natm wire format (docs/protocol/natm.md). Writers
 * write into a fixed MAX_DATAGRAM buffer; readers check every length before reading and
 * throw WireError, which decoders turn into a drop (never past the packet handler).
 */
import type { Endpoint } from '../net/datagram.ts';

/** Largest datagram natm sends or accepts (the IPv6 minimum MTU; no IP fragmentation). */
export const MAX_DATAGRAM = 1280;

export class WireError extends Error {}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export class Writer {
  private readonly buf = new Uint8Array(MAX_DATAGRAM);
  private readonly view = new DataView(this.buf.buffer);
  private n = 0;

  private room(k: number): number {
    if (this.n + k > MAX_DATAGRAM) throw new WireError(`message over ${MAX_DATAGRAM} bytes`);
    const at = this.n;
    this.n += k;
    return at;
  }
  u8(v: number): this {
    this.view.setUint8(this.room(1), v);
    return this;
  }
  u16(v: number): this {
    this.view.setUint16(this.room(2), v);
    return this;
  }
  u32(v: number): this {
    this.view.setUint32(this.room(4), v >>> 0);
    return this;
  }
  f64(v: number): this {
    this.view.setFloat64(this.room(8), v);
    return this;
  }
  str(s: string): this {
    const b = enc.encode(s);
    if (b.length > 255) throw new WireError('string over 255 bytes');
    this.u8(b.length);
    this.buf.set(b, this.room(b.length));
    return this;
  }
  bytes(b: Uint8Array): this {
    this.u16(b.length);
    this.buf.set(b, this.room(b.length));
    return this;
  }
  endpoint(e: Endpoint): this {
    const parts = e.address.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new WireError('not IPv4');
    for (const p of parts) this.u8(p);
    return this.u16(e.port);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

export class Reader {
  private readonly view: DataView;
  private n = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private take(k: number): number {
    if (this.n + k > this.buf.length) throw new WireError('truncated');
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
  f64(): number {
    const v = this.view.getFloat64(this.take(8));
    if (!Number.isFinite(v)) throw new WireError('not a finite number');
    return v;
  }
  str(max = 255): string {
    const len = this.u8();
    if (len > max) throw new WireError('string too long');
    const at = this.take(len);
    return dec.decode(this.buf.subarray(at, at + len));
  }
  bytes(max: number): Uint8Array {
    const len = this.u16();
    if (len > max) throw new WireError('bytes too long');
    const at = this.take(len);
    return this.buf.slice(at, at + len);
  }
  endpoint(): Endpoint {
    const a = [this.u8(), this.u8(), this.u8(), this.u8()];
    const port = this.u16();
    if (port === 0) throw new WireError('port 0');
    return { address: a.join('.'), port };
  }
  /** Read `count` items (count itself bounded by `max`). */
  list<T>(max: number, item: () => T): T[] {
    const count = this.u8();
    if (count > max) throw new WireError('list too long');
    return Array.from({ length: count }, item);
  }
  end(): void {
    if (this.n !== this.buf.length) throw new WireError('trailing bytes');
  }
}
