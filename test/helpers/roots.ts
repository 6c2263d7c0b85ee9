/** Test fixtures for roots of trust: keys in memory, roots built and signed with the real code. */
import { encode } from '../../agent/lib/metainfo/bencode-strict.ts';
import { bodyDict, signRoot, unsignedRoot } from '../../agent/lib/trust/build-root.ts';
import { encodeChain } from '../../agent/lib/trust/chain.ts';
import type { RootBody, SignedRoot, VersionRule } from '../../agent/lib/trust/model.ts';
import type { Admin } from './fixtures.ts';

export const DAY_S = 86_400;

export interface RootSpec {
  version: number;
  rootKeys: Admin[];
  rootThreshold: number;
  updateKeys: Admin[];
  threshold: number;
  /** Unix seconds. */
  expires: number;
  versions?: VersionRule[];
}

export function body(s: RootSpec): RootBody {
  const all = [...s.rootKeys, ...s.updateKeys];
  return {
    version: s.version,
    expires: s.expires,
    keys: new Map(all.map((a) => [a.pub.keyId, a.pub])),
    root: { keyIds: s.rootKeys.map((a) => a.pub.keyId), threshold: s.rootThreshold },
    update: { keyIds: s.updateKeys.map((a) => a.pub.keyId), threshold: s.threshold },
    versions: s.versions ?? [],
  };
}

/** The root of `spec`, signed by each of `signers` in turn. */
export async function makeRoot(spec: RootSpec, signers: Admin[]): Promise<SignedRoot> {
  let r = unsignedRoot(body(spec));
  for (const a of signers) r = await signRoot(r, a.secret);
  return r;
}

export function chainOf(...roots: SignedRoot[]): Uint8Array {
  return encodeChain(roots.map((r) => r.raw));
}

/** Raw root bytes with a hand-made signed dict (for shapes the builder refuses to make). */
export function rawRoot(
  signed: Record<string, unknown>,
  signatures: Record<string, Uint8Array> = {},
): Uint8Array {
  return encode({ signed, signatures });
}

export { bodyDict };
