/**
 * Verifying a torrent-file++ (spec §Check order). Pure apart from libsodium: bytes,
 * trusted keys, a threshold and `now` in; a VerifiedUpdate or a MetadataError out.
 *   1 size cap, 2 strict bencode, 3 fields and types   (parse.ts)
 *   4 known signer, 5 threshold of valid signatures, 6 not expired   (here)
 *   and an inline payload against the signed length and SHA-256 (here: it is in the file)
 * Steps 7 (URI accepted) and 8 (version above the highest accepted, below the root's
 * ceiling) need the node's state and live in the manager; payload checks (step 9) are in
 * payload.ts. Trusted keys and threshold come from the root (agent/lib/trust).
 */
import { createHash } from 'node:crypto';
import { MetadataError } from '../common/errors.ts';
import type { PublicKey } from '../crypto/keys.ts';
import type { SignatureEntry, TorrentPlusPlus, VerifiedUpdate } from './model.ts';
import { encode } from './bencode-strict.ts';
import { parseTorrentPlusPlus } from './parse.ts';
import { signedMessage, verifyDetached } from './signature.ts';

export interface VerifyOptions {
  readonly trusted: readonly PublicKey[];
  /** Distinct trusted keys that must sign the same facts; default 1. */
  readonly threshold?: number;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /**
   * Skip step 6 (expiry) only: for the deploy executor's rollback to an update it deployed
   * itself while it was valid (docs/deploy-executor.md §Rollback). The caller judges expiry.
   */
  readonly expiredOk?: boolean;
}

/** The facts a signer vouches for: its signed info without its own key id. */
function factsOf(s: SignatureEntry): string {
  const { kid: _kid, ...facts } = s.signedInfo;
  return Buffer.from(encode({ ...facts, sha256: Buffer.from(facts.sha256) })).toString('latin1');
}

/** Valid trusted signatures grouped by the facts they sign. */
async function groups(t: TorrentPlusPlus, byKid: Map<string, PublicKey>) {
  const valid = new Map<string, SignatureEntry[]>();
  const invalid: string[] = [];
  for (const s of t.signatures) {
    const key = byKid.get(s.signer);
    if (key === undefined) continue; // not ours: ignored (BEP 35 allows other signers)
    if (await verifyDetached(s.signature, signedMessage(t.infoBytes, s.signedInfoBytes), key.bytes)) {
      const facts = factsOf(s);
      valid.set(facts, [...(valid.get(facts) ?? []), s]);
    } else invalid.push(s.signer);
  }
  return { valid: [...valid.values()], invalid };
}

/** Steps 4 and 5: the one group of ≥ threshold distinct trusted signers that agree. */
async function agreeing(t: TorrentPlusPlus, opts: VerifyOptions): Promise<SignatureEntry[]> {
  const k = opts.threshold ?? 1;
  const byKid = new Map(opts.trusted.map((key) => [key.keyId, key]));
  if (!t.signatures.some((s) => byKid.has(s.signer))) {
    const names = t.signatures.map((s) => s.signer.slice(0, 16)).join(', ');
    throw new MetadataError('UNKNOWN_SIGNER', `signed by ${names}; none is a trusted admin key`);
  }
  // Signer names are unique dict keys and each equals its key's id: one key, one vote.
  const { valid, invalid } = await groups(t, byKid);
  const enough = valid.filter((g) => g.length >= k);
  if (enough.length === 1) return enough[0]!;
  if (enough.length > 1)
    throw new MetadataError('BAD_SIGNATURE', 'trusted signers signed different uri/version/payload facts');
  if (invalid.length > 0)
    throw new MetadataError(
      'BAD_SIGNATURE',
      `signature of ${invalid.join(', ')} does not match bencode(info) ‖ bencode(signed info)`,
    );
  const found = valid.map((g) => `${g.length} for version ${g[0]!.signedInfo.version}`).join(', ');
  throw new MetadataError(
    'THRESHOLD',
    `${k} of ${byKid.size} update keys must sign the same facts; valid signatures: ${found}`,
  );
}

export async function verifyParsed(t: TorrentPlusPlus, opts: VerifyOptions): Promise<VerifiedUpdate> {
  const group = await agreeing(t, opts);
  const si = group[0]!.signedInfo;
  // From here on the signature is valid: a refusal names the update it refuses.
  const signed = { uri: si.uri, version: si.version, infoHash: t.infoHash };
  // Step 6: not expired.
  // The message names the local time the decision used: a wrong local clock shows here.
  if (opts.expiredOk !== true && si.expires !== undefined && opts.now > si.expires * 1000) {
    const at = new Date(si.expires * 1000).toISOString();
    const local = new Date(opts.now).toISOString();
    throw new MetadataError('EXPIRED', `expired at ${at}, local clock ${local}`, { signed });
  }
  if (t.inline !== undefined) {
    const got = createHash('sha256').update(t.inline).digest();
    if (t.inline.length !== si.length || !got.equals(si.sha256))
      throw new MetadataError(
        'PAYLOAD_MISMATCH',
        `inline payload SHA-256 is ${got.toString('hex')}, signed ${Buffer.from(si.sha256).toString('hex')}`,
        { signed },
      );
  }
  return {
    uri: si.uri,
    version: si.version,
    length: si.length,
    sha256: si.sha256,
    kid: si.kid,
    signers: group.map((s) => s.signer),
    ...(si.expires === undefined ? {} : { expires: si.expires }),
    ...(si.rollout === undefined ? {} : { rollout: si.rollout }),
    ...(si.files === undefined ? {} : { files: si.files }),
    infoHash: t.infoHash,
    name: t.info.name,
    pieceLength: t.info.pieceLength,
    torrent: t,
  };
}

export async function verifyTorrentPlusPlus(raw: Uint8Array, opts: VerifyOptions): Promise<VerifiedUpdate> {
  return verifyParsed(parseTorrentPlusPlus(raw), opts);
}
