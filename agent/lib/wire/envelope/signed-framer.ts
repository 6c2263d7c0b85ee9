/**
 * The open envelope of certificate mode: no cluster secret anywhere. Every datagram is
 * signed by its sender's own Ed25519 key, and that key travels in the frame, so whoever
 * receives it (a node, a bridge, or a rendezvous that knows no cluster) checks that the
 * packet's sender id is the id the key derives to (agent/lib/membership/node-id.ts:
 * id = first 16 bytes of SHA-256(key), hex). Nobody can speak under another node's id;
 * anybody can make a key and speak under its own — membership is decided above, by
 * certificates (agent/lib/membership/secure-overlay.ts), not here.
 *
 *   0xC6 · version 1 · key[32] · plaintext · Ed25519 sig[64]
 *   sig over "p2pu-natm-open-v1\0" ‖ first 34 bytes ‖ plaintext
 *
 * No confidentiality: natm control data (ids, endpoints, tables) is what a rendezvous sees
 * anyway; app payloads are already end-to-end encrypted by SecureLinks. `open` checks
 * cheapest first (length, magic, version, then one signature verification) and never throws.
 */
import type _sodium from 'libsodium-wrappers';
import { nodeIdOf } from '../../membership/node-id.ts';
import { MAX_DATAGRAM } from '../../net/datagram.ts';
import type { OpenResult, PacketSealer } from './sealer.ts';

type Sodium = typeof _sodium;

export const OPEN_MAGIC = 0xc6;
export const OPEN_VERSION = 1;
const KEY = 32;
const SIG = 64;
const HEADER = 2 + KEY;
const CONTEXT = Buffer.from('p2pu-natm-open-v1\0', 'ascii');

export class SignedFramer implements PacketSealer {
  readonly overhead = HEADER + SIG;
  /** The node id this framer's key derives to: the only sender id it may send under. */
  readonly signerId: string;
  private readonly header: Uint8Array;

  constructor(
    private readonly sodium: Sodium,
    private readonly key: { publicKey: Uint8Array; secretKey: Uint8Array },
  ) {
    if (key.publicKey.length !== KEY || key.secretKey.length !== 64)
      throw new Error('SignedFramer needs an Ed25519 key pair (32-byte public, 64-byte libsodium secret)');
    this.signerId = nodeIdOf(key.publicKey);
    this.header = new Uint8Array(HEADER);
    this.header[0] = OPEN_MAGIC;
    this.header[1] = OPEN_VERSION;
    this.header.set(key.publicKey, 2);
  }

  /** A framer with a fresh key (a rendezvous, which needs no stable identity). */
  static ephemeral(sodium: Sodium): SignedFramer {
    const k = sodium.crypto_sign_keypair();
    return new SignedFramer(sodium, { publicKey: k.publicKey, secretKey: k.privateKey });
  }

  seal(plain: Uint8Array): Uint8Array {
    const sig = this.sodium.crypto_sign_detached(
      Buffer.concat([CONTEXT, this.header, plain]),
      this.key.secretKey,
    );
    const out = new Uint8Array(HEADER + plain.length + SIG);
    out.set(this.header, 0);
    out.set(plain, HEADER);
    out.set(sig, HEADER + plain.length);
    return out;
  }

  open(packet: Uint8Array): OpenResult {
    if (packet.length > MAX_DATAGRAM) return { ok: false, reason: 'oversized' };
    if (packet.length < HEADER + SIG + 1) return { ok: false, reason: 'short' };
    if (packet[0] !== OPEN_MAGIC) return { ok: false, reason: 'bad_magic' };
    if (packet[1] !== OPEN_VERSION) return { ok: false, reason: 'bad_version' };
    const key = packet.subarray(2, HEADER);
    const end = packet.length - SIG;
    const plain = packet.subarray(HEADER, end);
    try {
      const msg = Buffer.concat([CONTEXT, packet.subarray(0, HEADER), plain]);
      if (!this.sodium.crypto_sign_verify_detached(packet.subarray(end), msg, key))
        return { ok: false, reason: 'bad_signature' };
    } catch {
      return { ok: false, reason: 'bad_signature' };
    }
    return { ok: true, plain: new Uint8Array(plain), signer: nodeIdOf(key) };
  }
}
