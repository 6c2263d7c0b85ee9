/**
 * Verifying a torrent-file++ (spec §Check order). Pure apart from libsodium: bytes,
 * trusted keys and `now` in; a VerifiedUpdate or a MetadataError out.
 *   1 size cap, 2 strict bencode, 3 fields and types   (parse.ts)
 *   4 known signer, 5 signature, 6 not expired          (here)
 *   and an inline payload against the signed length and SHA-256 (here: it is in the file)
 * Steps 7 (URI accepted) and 8 (version above the highest accepted) need the node's
 * state and live in the manager; payload checks (step 9) are in payload.ts.
 */
import { createHash } from 'node:crypto';
import { MetadataError } from '../common/errors.ts';
import type { PublicKey } from '../crypto/keys.ts';
import type { TorrentPlusPlus, VerifiedUpdate } from './model.ts';
import { parseTorrentPlusPlus } from './parse.ts';
import { signedMessage, verifyDetached } from './signature.ts';

export interface VerifyOptions {
  readonly trusted: readonly PublicKey[];
  /** Milliseconds since the epoch. */
  readonly now: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

export async function verifyParsed(t: TorrentPlusPlus, opts: VerifyOptions): Promise<VerifiedUpdate> {
  // Step 4: at least one signer we trust. Untrusted extra signers are ignored.
  const byKid = new Map(opts.trusted.map((k) => [k.keyId, k]));
  const ours = t.signatures.filter((s) => byKid.has(s.signer));
  if (ours.length === 0) {
    const names = t.signatures.map((s) => s.signer.slice(0, 16)).join(', ');
    throw new MetadataError('UNKNOWN_SIGNER', `signed by ${names}; none is a trusted admin key`);
  }
  // Step 5: every trusted signature verifies, over the same signed info.
  for (const s of ours) {
    const key = byKid.get(s.signer)!;
    if (!(await verifyDetached(s.signature, signedMessage(t.infoBytes, s.signedInfoBytes), key.bytes))) {
      throw new MetadataError(
        'BAD_SIGNATURE',
        `signature of ${s.signer} does not match bencode(info) ‖ bencode(signed info)`,
      );
    }
    if (!sameBytes(s.signedInfoBytes, ours[0]!.signedInfoBytes)) {
      throw new MetadataError('BAD_SIGNATURE', 'trusted signers signed different uri/version/payload facts');
    }
  }
  const si = ours[0]!.signedInfo;
  // From here on the signature is valid: a refusal names the update it refuses.
  const signed = { uri: si.uri, version: si.version, infoHash: t.infoHash };
  // Step 6: not expired.
  // The message names the local time the decision used: a wrong local clock shows here.
  if (si.expires !== undefined && opts.now > si.expires * 1000) {
    const at = new Date(si.expires * 1000).toISOString();
    const local = new Date(opts.now).toISOString();
    throw new MetadataError('EXPIRED', `expired at ${at}, local clock ${local}`, { signed });
  }
  if (t.inline !== undefined) {
    const got = createHash('sha256').update(t.inline).digest();
    if (t.inline.length !== si.length || !sameBytes(got, si.sha256))
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
    ...(si.expires === undefined ? {} : { expires: si.expires }),
    ...(si.rollout === undefined ? {} : { rollout: si.rollout }),
    infoHash: t.infoHash,
    name: t.info.name,
    pieceLength: t.info.pieceLength,
    torrent: t,
  };
}

export async function verifyTorrentPlusPlus(raw: Uint8Array, opts: VerifyOptions): Promise<VerifiedUpdate> {
  return verifyParsed(parseTorrentPlusPlus(raw), opts);
}
