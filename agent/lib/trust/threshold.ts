/**
 * Counting signatures against a role (TUF's threshold rule): a signature counts once
 * per distinct key of the role, only if it verifies; a signature by a key outside the
 * role, or one that does not verify, counts for nothing. The one place a threshold of
 * root signatures is counted (torrent-file++ signatures are counted in metainfo/verify.ts,
 * which groups them by the facts they sign).
 */
import type { PublicKey } from '../crypto/keys.ts';
import { verifyDetached } from '../metainfo/signature.ts';
import type { Role } from './model.ts';

export interface Tally {
  /** Key ids of the role whose signature verified, each once. */
  readonly valid: readonly string[];
  /** Key ids of the role that signed, but whose signature did not verify. */
  readonly invalid: readonly string[];
}

export async function tally(
  message: Uint8Array,
  signatures: ReadonlyMap<string, Uint8Array>,
  role: Role,
  keys: ReadonlyMap<string, PublicKey>,
): Promise<Tally> {
  const valid: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>(); // public keys already counted, as hex
  for (const kid of role.keyIds) {
    const sig = signatures.get(kid);
    const key = keys.get(kid);
    if (sig === undefined || key === undefined) continue;
    const hex = Buffer.from(key.bytes).toString('hex');
    if (seen.has(hex)) continue;
    if (await verifyDetached(sig, message, key.bytes)) {
      seen.add(hex);
      valid.push(kid);
      if (valid.length >= role.threshold) break; // enough: the rest costs nothing
    } else invalid.push(kid);
  }
  return { valid, invalid };
}

export function describeTally(t: Tally, role: Role, whose: string): string {
  const bad = t.invalid.length > 0 ? `; ${t.invalid.length} did not verify (${t.invalid.join(', ')})` : '';
  return `${role.threshold} of ${role.keyIds.length} ${whose} must sign, ${t.valid.length} valid${t.valid.length > 0 ? ` (${t.valid.join(', ')})` : ''}${bad}`;
}
