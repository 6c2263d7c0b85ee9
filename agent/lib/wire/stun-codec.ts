/**
 * RFC 5389 Binding messages on top of the `stun` package. natm and the rendezvous share
 * one UDP port between STUN and the sealed overlay: a STUN message starts with two zero
 * bits and carries the magic cookie 0x2112A442 at bytes 4–7; a natm datagram starts 0xC5.
 * Every decoder returns null on bad input instead of throwing.
 */
import stun from 'stun';
import type { Endpoint } from '../net/datagram.ts';
import { canonicalIp } from '../net/ip.ts';

/** Largest STUN message we parse (a Binding request is 20 bytes plus a few attributes). */
export const MAX_STUN = 548;

export function looksLikeStun(b: Uint8Array): boolean {
  return (
    b.length >= 20 && (b[0]! & 0xc0) === 0 && b[4] === 0x21 && b[5] === 0x12 && b[6] === 0xa4 && b[7] === 0x42
  );
}

export interface StunInfo {
  kind: 'request' | 'response' | 'other';
  txid: Buffer;
  mapped?: Endpoint;
  /** The message's size on the wire (an answer is sized by it). */
  bytes: number;
}

export function decodeStun(b: Uint8Array): StunInfo | null {
  if (b.length > MAX_STUN || !looksLikeStun(b)) return null;
  const declared = (b[2]! << 8) | b[3]!;
  if (declared !== b.length - 20 || declared % 4 !== 0) return null; // RFC 5389 §6: length covers the attributes exactly
  try {
    const m = stun.decode(Buffer.from(b));
    const { STUN_BINDING_REQUEST: REQ, STUN_BINDING_RESPONSE: RES } = stun.constants;
    const kind = m.type === REQ ? 'request' : m.type === RES ? 'response' : 'other';
    const a = kind === 'response' ? (m.getXorAddress() ?? m.getAddress()) : undefined;
    const address = a && (a.family === 'IPv4' || a.family === 'IPv6') ? canonicalIp(a.address) : null;
    const mapped = address !== null && a!.port > 0 ? { address, port: a!.port } : undefined;
    return { kind, txid: m.transactionId, mapped, bytes: b.length };
  } catch {
    return null;
  }
}

/** RFC 5389's smallest Binding success response: header and XOR-MAPPED-ADDRESS (IPv4). */
export const MIN_STUN_RESPONSE = 32;
/** The same for an IPv6 address (16 address bytes instead of 4). */
export const MIN_STUN_RESPONSE_V6 = 44;

/** The smallest answer to a request from `observed`'s family. */
export const minStunResponse = (observed: Endpoint): number =>
  observed.address.includes(':') ? MIN_STUN_RESPONSE_V6 : MIN_STUN_RESPONSE;

/**
 * A Binding success response to `txid` (reused from the request, as RFC 5389 requires),
 * never larger than it has to be: XOR-MAPPED-ADDRESS, plus FINGERPRINT (40 bytes) only
 * when the request is at least that large. A bare 20-byte request gets the 32-byte minimum
 * (1.6×, the one STUN answer larger than its request, bounded per source by the caller).
 * Over IPv6 the caller answers only requests at least as large as the 44-byte answer.
 */
export function bindingResponse(txid: Buffer, observed: Endpoint, requestBytes: number): Uint8Array {
  const m = stun.createMessage(stun.constants.STUN_BINDING_RESPONSE, txid);
  m.addXorAddress(observed.address, observed.port);
  if (requestBytes >= minStunResponse(observed) + 8) m.addFingerprint();
  return new Uint8Array(m.toBuffer());
}

/** natm's Binding request, padded by SOFTWARE so the answer it draws is not larger (44 bytes). */
export function bindingRequest(): { txid: Buffer; bytes: Uint8Array } {
  const m = stun.createMessage(stun.constants.STUN_BINDING_REQUEST);
  m.addSoftware('p2p-update');
  m.addFingerprint();
  return { txid: m.transactionId, bytes: new Uint8Array(m.toBuffer()) };
}
