/**
 * Writing root documents (admin side: `p2p-update root`). One way to sign, as for a
 * torrent-file++: signDetached over the canonical bencode of what is signed, here
 * bencode(signed). Every document written is read back with the strict parser.
 */
import type { SecretKey } from '../crypto/keys.ts';
import { encode } from '../metainfo/bencode-strict.ts';
import { signDetached } from '../metainfo/signature.ts';
import type { RootBody, SignedRoot, VersionRule } from './model.ts';
import { parseRoot, ROOT_TYPE } from './parse-root.ts';

function ruleDict(r: VersionRule): Record<string, unknown> {
  return {
    prefix: Buffer.from(r.prefix),
    ...(r.maxJump === undefined ? {} : { 'max jump': r.maxJump }),
    ...(r.maxVersion === undefined ? {} : { 'max version': r.maxVersion }),
    ...(r.maxAheadS === undefined ? {} : { 'max ahead': r.maxAheadS }),
  };
}

export function bodyDict(b: RootBody): Record<string, unknown> {
  const role = (r: RootBody['root']) => ({
    keys: r.keyIds.map((k) => Buffer.from(k)),
    threshold: r.threshold,
  });
  return {
    type: Buffer.from(ROOT_TYPE),
    version: b.version,
    expires: b.expires ?? 0,
    keys: Object.fromEntries([...b.keys].map(([kid, k]) => [kid, Buffer.from(k.bytes)])),
    root: role(b.root),
    update: role(b.update),
    versions: b.versions.map(ruleDict),
  };
}

/** A root with no signature yet (`root init`, `root rotate`). */
export function unsignedRoot(b: RootBody): SignedRoot {
  return parseRoot(encode({ signed: bodyDict(b), signatures: {} }));
}

/** Adds (or replaces) the signature of `key` over the root's exact signed bytes. */
export async function signRoot(r: SignedRoot, key: SecretKey): Promise<SignedRoot> {
  const sig = await signDetached(r.bodyBytes, key.sodiumKey);
  const sigs = new Map(r.signatures).set(key.publicKey.keyId, sig);
  const signatures = Object.fromEntries([...sigs].map(([kid, s]) => [kid, Buffer.from(s)]));
  // The signed dict is carried over as its exact bytes' decoding: the same canonical bytes.
  const raw = Buffer.concat([
    Buffer.from('d10:signatures'),
    encode(signatures),
    Buffer.from('6:signed'),
    r.bodyBytes,
    Buffer.from('e'),
  ]);
  return parseRoot(new Uint8Array(raw));
}
