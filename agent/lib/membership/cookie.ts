/**
 * Stateless cookies (the DTLS/Photuris anti-spoofing step, Wolinsky §III-A.2): before
 * keeping any state for an initiator, the responder answers its first packet with
 *   cookie = BLAKE2b-128(key = secret(bucket), addr ‖ bucket),  bucket = ⌊now / bucketMs⌋
 * and only proceeds when the initiator repeats its first packet carrying that cookie,
 * which proves it receives at the address it claims. The secret is fresh random per
 * bucket; the current and the previous bucket are accepted, so a cookie lives between
 * one and two buckets. Memory: two 32-byte secrets.
 */
import type { Clock } from '../common/clock.ts';
import { na } from './na.ts';
import { COOKIE_LEN } from './wire.ts';

export interface CookieComponents {
  readonly clock: Pick<Clock, 'now'>;
  readonly random: (n: number) => Uint8Array;
}

export class CookieJar {
  readonly #c: CookieComponents;
  readonly #bucketMs: number;
  readonly #secrets = new Map<number, Uint8Array>();

  constructor(components: CookieComponents, init: { bucketMs?: number } = {}) {
    this.#c = components;
    this.#bucketMs = init.bucketMs ?? 60_000;
  }

  make(addr: string): Uint8Array {
    return this.#mac(addr, this.#bucket());
  }

  valid(addr: string, cookie: Uint8Array): boolean {
    if (cookie.length !== COOKIE_LEN) return false;
    const b = this.#bucket();
    for (const bucket of [b, b - 1]) {
      if (!this.#secrets.has(bucket)) continue;
      if (na().memcmp(this.#mac(addr, bucket), cookie)) return true;
    }
    return false;
  }

  #bucket(): number {
    const b = Math.floor(this.#c.clock.now() / this.#bucketMs);
    if (!this.#secrets.has(b)) {
      this.#secrets.set(b, this.#c.random(32));
      for (const k of this.#secrets.keys()) if (k < b - 1) this.#secrets.delete(k);
    }
    return b;
  }

  #mac(addr: string, bucket: number): Uint8Array {
    const secret = this.#secrets.get(bucket)!;
    const msg = Buffer.from(`${addr}\0${bucket}`, 'utf8');
    return na().crypto_generichash(COOKIE_LEN, msg, secret);
  }
}
