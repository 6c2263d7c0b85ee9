/**
 * The signed envelope shared by certificates, requests, revocation lists and notices:
 *   bencode({ body: {...}, sig: Ed25519(context ‖ bencode(body)) })
 * `context` is a per-kind ASCII label ending in NUL ("p2pu-cert-v1\0"...), so a
 * signature over one kind never verifies as another. Decoding is strict canonical
 * bencode, so the body bytes that were signed are exactly the bytes re-encoded here.
 */
import { decodeStrict, encode, isDict, type BDict, type BValue } from '../metainfo/bencode-strict.ts';
import { MembershipError } from './errors.ts';
import { membershipReady, na as sodiumSync } from './na.ts';

export type Kind = 'cert' | 'csr' | 'crl' | 'revoke';
export const MAX_ENVELOPE = 16 * 1024;

function context(kind: Kind): Uint8Array {
  return Buffer.from(`p2pu-${kind}-v1\0`, 'ascii');
}

export async function seal(kind: Kind, body: BDict, secretKey: Uint8Array): Promise<Uint8Array> {
  const na = await membershipReady();
  const bodyBytes = encode(body);
  const sig = na.crypto_sign_detached(Buffer.concat([context(kind), bodyBytes]), secretKey);
  return encode({ body, sig });
}

export interface Opened {
  readonly body: BDict;
  /** True if `sig` verifies under `publicKey` for this kind. */
  verifiedBy(publicKey: Uint8Array): boolean;
}

/** Synchronous: `membershipReady()` must have been awaited. */
export function open(kind: Kind, bytes: Uint8Array, maxBytes = MAX_ENVELOPE): Opened {
  if (bytes.length > maxBytes)
    throw new MembershipError('MALFORMED', `${kind}: ${bytes.length} bytes, above the ${maxBytes} cap`);
  let outer: BValue;
  try {
    outer = decodeStrict(bytes);
  } catch (cause) {
    throw new MembershipError('MALFORMED', `${kind}: not canonical bencode`, { cause });
  }
  if (!isDict(outer) || !isDict(outer['body']) || !(outer['sig'] instanceof Uint8Array))
    throw new MembershipError('MALFORMED', `${kind}: expected a dict with "body" (dict) and "sig" (bytes)`);
  const body = outer['body'];
  const sig = outer['sig'];
  const message = Buffer.concat([context(kind), encode(body)]);
  const na = sodiumSync();
  return {
    body,
    verifiedBy(publicKey) {
      if (sig.length !== 64 || publicKey.length !== 32) return false;
      try {
        return na.crypto_sign_verify_detached(sig, message, publicKey);
      } catch {
        return false;
      }
    },
  };
}
