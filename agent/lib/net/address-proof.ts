/**
 * Return routability for one UDP socket (QUIC's address validation, RFC 9000 §8.1, with an
 * amplification factor of 1): which remote endpoints have shown that they receive what we
 * send them, and how much we may send to those that have not.
 *
 * - Every authenticated datagram from an endpoint adds its size to that endpoint's credit
 *   (at most CREDIT_CAP banked); a send to an endpoint not proven spends credit and is
 *   refused without it. So a spoofed source never gets more bytes than it was sent.
 * - An endpoint is proven when it echoes a token we sent it (natm's `probe`): the token is
 *   a stateless cookie of the endpoint (HMAC-SHA256 of it under a random secret fresh each
 *   minute, cut to 4 bytes; the previous minute's accepted too, as in
 *   agent/lib/membership/cookie.ts). A proof lasts `ttlMs` from the
 *   last echo; only an echo renews it, never a plain packet (a spoofer could send those).
 * - Endpoints the configuration names (rendezvous, bridge, STUN servers) are trusted: we
 *   chose to talk to them. `allow` grants credit for an endpoint we are told to punch.
 * Bounded: `maxEntries` credits and as many proofs, each least recently used forgotten
 * (forgetting only ever makes us send less). Proofs are kept apart from credits, so a
 * flood from spoofed addresses churns credits only, never the proofs of real peers.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.ts';
import { epKey, MAX_DATAGRAM, type Endpoint } from './datagram.ts';

export const CREDIT_CAP = 2 * MAX_DATAGRAM;
/** A token secret is used for this long; a token is accepted for one to two of these. */
const BUCKET_MS = 60_000;

interface Credit {
  bytes: number;
  /** The last token of theirs we echoed (answer each fresh one once, not every copy). */
  echoed: number;
}

export class AddressProof {
  private readonly credits = new Map<string, Credit>();
  /** Endpoint → proven until (ms). */
  private readonly proofs = new Map<string, number>();
  private readonly trusted = new Set<string>();
  /** Bucket → its secret (the current and the previous one). */
  private readonly secrets = new Map<number, Buffer>();

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly opts: { ttlMs: number; maxEntries: number },
  ) {}

  /** Our token for `ep` (never 0: 0 means "no token"). */
  token(ep: Endpoint): number {
    return this.mac(epKey(ep), Math.floor(this.clock.now() / BUCKET_MS));
  }

  /** `ep` echoed `token`: true (and `ep` proven for ttlMs) if it is our token for `ep`. */
  echo(ep: Endpoint, token: number): boolean {
    if (token === 0) return false;
    const key = epKey(ep);
    const b = Math.floor(this.clock.now() / BUCKET_MS);
    const ok = this.mac(key, b) === token || (this.secrets.has(b - 1) && this.mac(key, b - 1) === token);
    if (ok) lru(this.proofs, key, this.clock.now() + this.opts.ttlMs, this.opts.maxEntries);
    return ok;
  }

  isProven(ep: Endpoint): boolean {
    return this.remaining(ep) > 0;
  }

  /** How long `ep` stays proven without another echo (0: not proven). */
  remaining(ep: Endpoint): number {
    const key = epKey(ep);
    if (this.trusted.has(key)) return Infinity;
    return Math.max(0, (this.proofs.get(key) ?? 0) - this.clock.now());
  }

  /** An authenticated datagram of `bytes` came from `ep`. */
  received(ep: Endpoint, bytes: number): void {
    const c = this.credit(ep);
    c.bytes = Math.min(CREDIT_CAP, c.bytes + bytes);
  }

  /** May we send `bytes` to `ep`? Spends credit when `ep` is not proven. */
  spend(ep: Endpoint, bytes: number): boolean {
    if (this.isProven(ep)) return true;
    const c = this.credits.get(epKey(ep));
    if (!c || c.bytes < bytes) return false;
    c.bytes -= bytes;
    return true;
  }

  /** Endpoints we chose (configured servers): always proven. */
  trust(ep: Endpoint): void {
    this.trusted.add(epKey(ep));
  }

  /** Grants `bytes` of credit to `ep` (a punch target an introduction named). */
  allow(ep: Endpoint, bytes: number): void {
    const c = this.credit(ep);
    c.bytes = Math.max(c.bytes, bytes);
  }

  /** True the first time `token` (theirs) comes from `ep`; answer it once. */
  fresh(ep: Endpoint, token: number): boolean {
    const c = this.credit(ep);
    if (token === 0 || c.echoed === token) return false;
    c.echoed = token;
    return true;
  }

  /** How many endpoints hold credit, and how many are proven (stats). */
  sizes(): { credits: number; proofs: number } {
    return { credits: this.credits.size, proofs: this.proofs.size };
  }

  private mac(key: string, bucket: number): number {
    let secret = this.secrets.get(bucket);
    if (!secret) {
      secret = randomBytes(32);
      this.secrets.set(bucket, secret);
      for (const b of this.secrets.keys()) if (b < bucket - 1) this.secrets.delete(b);
    }
    return createHmac('sha256', secret).update(key).digest().readUInt32BE(0) || 1;
  }

  private credit(ep: Endpoint): Credit {
    const key = epKey(ep);
    return lru(this.credits, key, this.credits.get(key) ?? { bytes: 0, echoed: 0 }, this.opts.maxEntries);
  }
}

/** Sets `key` as the most recently used entry of `map`, forgetting the least recent past `max`. */
function lru<V>(map: Map<string, V>, key: string, value: V, max: number): V {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
  return value;
}
