/**
 * The HTTP tracker wire format (BEP 3 announce, BEP 23 compact peers), pure.
 * Injected peers are reported as leechers (complete 0): Transmission 3.00 derives a
 * "seed probability" from complete/incomplete, and a seeding daemon never dials peers
 * it believes are seeds (LAB-NOTES). `incomplete` is at least 1: Transmission 4.1 marks
 * every known peer of a private torrent upload-only when a reply says 0 leechers, and a
 * finished torrent then never dials them (levers memo §2). `downloaded` makes the three
 * scrape counts complete, so the daemon does not follow each announce with a scrape.
 */
import { encode } from '../metainfo/bencode-strict.ts';
import { canonicalIp, ipBytes } from '../net/ip.ts';

export interface Peer {
  readonly ip: string;
  readonly port: number;
}

/**
 * Compact peers of one family: IPv4, 6 bytes each (BEP 23 `peers`), or IPv6, 18 bytes each
 * (BEP 7 `peers6`): address, then port, big-endian. Entries of the other family, or that
 * are no canonical address or port, are skipped.
 */
export function compactPeers(peers: readonly Peer[], family: 4 | 6 = 4): Uint8Array {
  const out: Buffer[] = [];
  for (const p of peers) {
    const a = canonicalIp(p.ip) === p.ip ? ipBytes(p.ip) : null;
    if (!a || a.length !== (family === 4 ? 4 : 16)) continue;
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) continue;
    const b = Buffer.alloc(a.length + 2);
    b.set(a);
    b.writeUInt16BE(p.port, a.length);
    out.push(b);
  }
  return Buffer.concat(out);
}

/** `min interval` defaults to min(5, interval), the tracker's answer before the levers. */
export function announceReply(
  peers: readonly Peer[],
  intervalS: number,
  minIntervalS = Math.min(5, intervalS),
): Uint8Array {
  const compact = compactPeers(peers, 4);
  const compact6 = compactPeers(peers, 6);
  return encode({
    complete: 0,
    downloaded: 0,
    incomplete: Math.max(1, compact.length / 6 + compact6.length / 18),
    interval: intervalS,
    'min interval': Math.min(minIntervalS, intervalS),
    peers: compact,
    ...(compact6.length ? { peers6: compact6 } : {}),
  });
}

/** Scrapes get an empty answer: counts would only mislead (every peer is "incomplete"). */
export function scrapeReply(): Uint8Array {
  return encode({ files: {} });
}

export function failureReply(reason: string): Uint8Array {
  return encode({ 'failure reason': reason });
}

/**
 * A query parameter as raw bytes: info_hash is 20 percent-encoded bytes that must not
 * go through UTF-8 decoding. Returns null if absent or badly encoded.
 */
export function rawQueryParam(url: string, name: string): Uint8Array | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq) !== name) continue;
    const s = pair.slice(eq + 1);
    const out: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '%') {
        const h = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
        out.push(parseInt(h, 16));
        i += 2;
      } else out.push(s[i] === '+' ? 0x20 : s.charCodeAt(i) & 0xff);
    }
    return Uint8Array.from(out);
  }
  return null;
}

/** The hex info-hash of an announce URL, or null (malformed announces get a failure reply). */
export function infoHashOf(url: string): string | null {
  const b = rawQueryParam(url, 'info_hash');
  return b !== null && b.length === 20 ? Buffer.from(b).toString('hex') : null;
}
