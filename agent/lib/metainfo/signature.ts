/**
 * The signature of a torrent-file++ (spec §Signature, after BEP 35):
 *   signature = Ed25519( bencode(info) ‖ bencode(signed-info) )
 * The message is the concatenation of the two canonical encodings, nothing else.
 */
import { sodium } from '../crypto/sodium.ts';

export function signedMessage(infoBytes: Uint8Array, signedInfoBytes: Uint8Array): Uint8Array {
  return Buffer.concat([infoBytes, signedInfoBytes]);
}

export async function signDetached(message: Uint8Array, sodiumSecretKey: Uint8Array): Promise<Uint8Array> {
  return (await sodium()).crypto_sign_detached(message, sodiumSecretKey);
}

export async function verifyDetached(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): Promise<boolean> {
  try {
    return (await sodium()).crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}
