/**
 * Adding a signature to a torrent-file++ (`p2p-update sign`, `create --key K1 --key K2`),
 * spec §Signature: the new signer signs the same facts (uri, version, length, sha256,
 * expires) under its own kid, over the same info dict, so the infohash does not change.
 * Refuses a file whose signers disagree on the facts, and a key that already signed.
 */
import { MetadataError } from '../common/errors.ts';
import type { SecretKey } from '../crypto/keys.ts';
import { decodeStrict, encode, isDict } from './bencode-strict.ts';
import { LIMITS } from './limits.ts';
import { parseTorrentPlusPlus } from './parse.ts';
import { signDetached, signedMessage } from './signature.ts';

export async function addSignature(raw: Uint8Array, key: SecretKey): Promise<Uint8Array> {
  const t = parseTorrentPlusPlus(raw);
  const kid = key.publicKey.keyId;
  if (t.signatures.some((s) => s.signer === kid))
    throw new MetadataError('MALFORMED', `signatures: key ${kid} has already signed this file`);
  if (t.signatures.length >= LIMITS.maxSignatures)
    throw new MetadataError(
      'TOO_LARGE',
      `signatures: already ${t.signatures.length}, the limit is ${LIMITS.maxSignatures}`,
    );
  const facts = t.signatures.map(({ signedInfo: { kid: _k, ...f } }) =>
    Buffer.from(encode({ ...f, sha256: Buffer.from(f.sha256) })).toString('hex'),
  );
  if (new Set(facts).size !== 1)
    throw new MetadataError(
      'MALFORMED',
      'signatures: the signers sign different facts; refusing to add to either',
    );
  // The first signer's signed info as it is in the file (rollout, manifest and all), our kid in it.
  const first = decodeStrict(t.signatures[0]!.signedInfoBytes);
  if (!isDict(first))
    throw new MetadataError('MALFORMED', 'signatures: a signed info that is not a dictionary');
  const signedInfo = { ...first, kid: Buffer.from(kid) };
  const signature = await signDetached(signedMessage(t.infoBytes, encode(signedInfo)), key.sodiumKey);
  const top = decodeStrict(raw);
  if (!isDict(top) || !isDict(top['signatures']))
    throw new MetadataError('MALFORMED', 'torrent: no signatures');
  top['signatures'][kid] = { info: signedInfo, signature } as never;
  const out = encode(top);
  if (Buffer.compare(parseTorrentPlusPlus(out).infoBytes, t.infoBytes) !== 0)
    throw new Error('addSignature changed the info dict'); // programmer error: never happens
  return out;
}
