/**
 * The outer envelope of every natm datagram, behind a small interface: the shared cluster
 * key (this file), or in certificate mode the per-node signed frame (signed-framer.ts).
 *
 *   0xC5 · version 1 · key hint u8 · nonce[24] (random[16] ‖ counter u64) · XChaCha20-Poly1305(plaintext, ad = first 27 bytes)
 *
 * `open` is ordered cheapest first: length, magic/version, key hint, then one AEAD try
 * per key with that hint. It returns the plaintext or a drop reason; it never throws.
 */
import type _sodium from 'libsodium-wrappers';
import type { Keyring } from './keyring.ts';
import { MAX_DATAGRAM } from '../../net/datagram.ts';

type Sodium = typeof _sodium;

export const MAGIC = 0xc5;
export const VERSION = 1;
export const HEADER = 27;
export const TAG = 16;

/** `signer`: the node id the packet's key derives to, when the envelope proves one (signed-framer.ts). */
export type OpenResult = { ok: true; plain: Uint8Array; signer?: string } | { ok: false; reason: string };

export interface PacketSealer {
  /** Bytes the envelope adds to a plaintext. */
  readonly overhead: number;
  /** When set, the only sender id this sealer's packets may carry (its key's node id). */
  readonly signerId?: string;
  seal(plain: Uint8Array): Uint8Array;
  open(packet: Uint8Array): OpenResult;
}

export class ClusterKeySealer implements PacketSealer {
  readonly overhead = HEADER + TAG;
  /** Nonce = 16 random bytes fixed per sealer ‖ 64-bit counter: unique without per-packet randomness. */
  private readonly nonce: Uint8Array;
  private readonly counter: DataView;

  constructor(
    private readonly sodium: Sodium,
    private readonly keyring: Keyring,
  ) {
    this.nonce = new Uint8Array(24);
    this.nonce.set(sodium.randombytes_buf(16), 0);
    this.counter = new DataView(this.nonce.buffer, 16, 8);
  }

  seal(plain: Uint8Array): Uint8Array {
    const key = this.keyring.primary();
    const out = new Uint8Array(HEADER + plain.length + TAG);
    out[0] = MAGIC;
    out[1] = VERSION;
    out[2] = key.hint;
    this.counter.setBigUint64(0, this.counter.getBigUint64(0) + 1n);
    out.set(this.nonce, 3);
    const ad = out.subarray(0, HEADER);
    const ct = this.sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
      plain,
      ad,
      null,
      out.subarray(3, HEADER),
      key.bytes,
    );
    out.set(ct, HEADER);
    return out;
  }

  open(packet: Uint8Array): OpenResult {
    if (packet.length > MAX_DATAGRAM) return { ok: false, reason: 'oversized' };
    if (packet.length < HEADER + TAG + 1) return { ok: false, reason: 'short' };
    if (packet[0] !== MAGIC) return { ok: false, reason: 'bad_magic' };
    if (packet[1] !== VERSION) return { ok: false, reason: 'bad_version' };
    const candidates = this.keyring.withHint(packet[2]!);
    if (candidates.length === 0) return { ok: false, reason: 'unknown_key' };
    const ad = packet.subarray(0, HEADER);
    const nonce = packet.subarray(3, HEADER);
    const ct = packet.subarray(HEADER);
    for (const k of candidates) {
      try {
        const plain = this.sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct, ad, nonce, k.bytes);
        return { ok: true, plain };
      } catch {
        // wrong key or forged: try the next key with this hint
      }
    }
    return { ok: false, reason: 'auth_failed' };
  }
}
