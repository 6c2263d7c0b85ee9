/**
 * Self-certifying node ids for services that trust no CA (the rendezvous): a node proves
 * it owns its id by signing a short statement with the Ed25519 key the id derives from
 * (id = H(key), node-id.ts). The rendezvous checks the signature and the derivation,
 * plus freshness, and so can refuse to let anyone register or receive introductions
 * under another node's id, with no secret of any cluster (docs/security.md).
 *   proof = bencode({ body: { id, key, t, what }, sig: Ed25519("p2pu-idproof-v1\0" ‖ bencode(body)) })
 * `what` binds the proof to its use (e.g. "register 198.18.0.7:4000"); `t` is Unix ms.
 */
import { decodeStrict, encode, isDict } from '../metainfo/bencode-strict.ts';
import { membershipReady, na } from './na.ts';
import { nodeIdOf } from './node-id.ts';

const CONTEXT = Buffer.from('p2pu-idproof-v1\0', 'ascii');
export const MAX_PROOF = 512;

export type IdProofResult = { ok: true; nodeId: string; what: string } | { ok: false; reason: string };

export async function proveId(
  sign: { publicKey: Uint8Array; secretKey: Uint8Array },
  what: string,
  nowMs: number,
): Promise<Uint8Array> {
  const s = await membershipReady();
  const body = {
    id: Buffer.from(nodeIdOf(sign.publicKey)),
    key: sign.publicKey,
    t: nowMs,
    what: Buffer.from(what),
  };
  return encode({
    body,
    sig: s.crypto_sign_detached(Buffer.concat([CONTEXT, encode(body)]), sign.secretKey),
  });
}

/** Pure check; never throws. `maxAgeMs` bounds replay of an old proof (default 60 s either way). */
export function checkIdProof(raw: Uint8Array, nowMs: number, maxAgeMs = 60_000): IdProofResult {
  if (raw.length > MAX_PROOF) return { ok: false, reason: 'too_large' };
  try {
    const v = decodeStrict(raw);
    if (!isDict(v) || !isDict(v['body']) || !(v['sig'] instanceof Uint8Array))
      return { ok: false, reason: 'malformed' };
    const { id, key, t, what } = v['body'];
    if (!(id instanceof Uint8Array) || !(key instanceof Uint8Array) || key.length !== 32)
      return { ok: false, reason: 'malformed' };
    if (typeof t !== 'number' || !(what instanceof Uint8Array)) return { ok: false, reason: 'malformed' };
    const nodeId = Buffer.from(id).toString('utf8');
    if (nodeIdOf(key) !== nodeId) return { ok: false, reason: 'id_mismatch' };
    if (Math.abs(nowMs - t) > maxAgeMs) return { ok: false, reason: 'stale' };
    const msg = Buffer.concat([CONTEXT, encode(v['body'])]);
    if (v['sig'].length !== 64 || !na().crypto_sign_verify_detached(v['sig'], msg, key))
      return { ok: false, reason: 'bad_signature' };
    return { ok: true, nodeId, what: Buffer.from(what).toString('utf8') };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
