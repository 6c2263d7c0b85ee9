/**
 * IP addresses for a dual-stack overlay, in one canonical text form so that equal addresses
 * compare equal everywhere (peer books, proofs, tables): IPv4 dotted quad; IPv6 as RFC 5952
 * text (lowercase, longest zero run compressed), and an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d, what a dual-stack socket reports for an IPv4 peer) as the IPv4 it maps.
 * Bytes for the wire format (4 or 16) and back; nothing here throws on bad text (null).
 */
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export function familyOf(address: string): Family | null {
  return isIPv4(address) ? 4 : isIPv6(address) ? 6 : null;
}

/** The canonical text of `address`, or null if it is no IP address (zone ids are refused). */
export function canonicalIp(address: string): string | null {
  if (isIPv4(address)) return address.split('.').map(Number).join('.');
  if (!isIPv6(address) || address.includes('%')) return null;
  return ipFromBytes(v6Bytes(address));
}

/** 4 or 16 bytes of a canonical (or any valid) address; null if it is none. */
export function ipBytes(address: string): Uint8Array | null {
  if (isIPv4(address)) return new Uint8Array(address.split('.').map(Number));
  if (!isIPv6(address) || address.includes('%')) return null;
  const b = v6Bytes(address);
  return isMapped(b) ? b.subarray(12) : b;
}

/** Canonical text of 4 or 16 bytes (a mapped IPv6 gives its IPv4). */
export function ipFromBytes(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  if (isMapped(b)) return [...b.subarray(12)].join('.');
  const words = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  let best = -1;
  let bestLen = 1; // RFC 5952 §4.2.2: a single zero word is not compressed
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** True for ::ffff:a.b.c.d. */
export function isMapped(b: Uint8Array): boolean {
  return b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** The 16 bytes of a valid IPv6 text (checked by isIPv6 first). */
function v6Bytes(text: string): Uint8Array {
  let s = text.toLowerCase();
  const m = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (m) {
    const [a, b, c, d] = m.slice(2).map(Number) as [number, number, number, number];
    s = `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (x: string) => (x === '' ? [] : x.split(':').map((w) => parseInt(w, 16)));
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const words = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  words.forEach((w, i) => ((out[2 * i] = w >> 8), (out[2 * i + 1] = w & 255)));
  return out;
}
