/**
 * The signature of a torrent-file++ (spec §Signature, after BEP 35):
 *   signature = Ed25519( bencode(info) ‖ bencode(signed-info) )
 * The message is the concatenation of the two canonical encodings, nothing else.
 * Verification uses node's own Ed25519 with libsodium's rules (crypto/ed25519-verify.ts):
 * the manager verifies updates, roots and control files and so never instantiates
 * libsodium's WebAssembly. Signing stays with libsodium (the CLI).
 */
import { ed25519Verify } from '../crypto/ed25519-verify.ts';
import { sodium } from '../crypto/sodium.ts';

export function signedMessage(infoBytes: Uint8Array, signedInfoBytes: Uint8Array): Uint8Array {
  return Buffer.concat([infoBytes, signedInfoBytes]);
}

export async function signDetached(message: Uint8Array, sodiumSecretKey: Uint8Array): Promise<Uint8Array> {
  return (await sodium()).crypto_sign_detached(message, sodiumSecretKey);
}

/** True only for a valid Ed25519 signature of `message` under `publicKey` (libsodium's rules). */
export function verifyDetached(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): Promise<boolean> {
  return Promise.resolve(ed25519Verify(signature, message, publicKey));
}
