/**
 * CipherState and SymmetricState of the Noise spec (§5.1, §5.2): ck, h, k, n with
 * MixKey, MixHash, EncryptAndHash, DecryptAndHash and Split. Names follow the spec.
 */
import { aeadDecrypt, aeadEncrypt, hash, hkdf2, HASHLEN } from './noise-crypto.ts';

export class CipherState {
  #k: Uint8Array | undefined;
  #n = 0;
  constructor(k?: Uint8Array, n = 0) {
    this.#k = k;
    this.#n = n;
  }
  clone(): CipherState {
    return new CipherState(this.#k, this.#n);
  }
  hasKey(): boolean {
    return this.#k !== undefined;
  }
  get key(): Uint8Array | undefined {
    return this.#k;
  }
  encryptWithAd(ad: Uint8Array, pt: Uint8Array): Uint8Array {
    if (!this.#k) return pt;
    return aeadEncrypt(this.#k, this.#n++, ad, pt);
  }
  /** null when authentication fails; n does not advance then (spec §5.1). */
  decryptWithAd(ad: Uint8Array, ct: Uint8Array): Uint8Array | null {
    if (!this.#k) return ct;
    const pt = aeadDecrypt(this.#k, this.#n, ad, ct);
    if (pt) this.#n++;
    return pt;
  }
}

export class SymmetricState {
  #ck: Uint8Array;
  #h: Uint8Array;
  #cs = new CipherState();

  constructor(protocolName: string) {
    const name = Buffer.from(protocolName, 'ascii');
    if (name.length <= HASHLEN) {
      this.#h = new Uint8Array(HASHLEN);
      this.#h.set(name);
    } else this.#h = hash(name);
    this.#ck = this.#h;
  }

  /** A copy, so a step that fails half-way leaves the original untouched. */
  clone(): SymmetricState {
    const c = new SymmetricState('');
    c.#ck = this.#ck;
    c.#h = this.#h;
    c.#cs = this.#cs.clone();
    return c;
  }

  get h(): Uint8Array {
    return this.#h;
  }

  mixHash(data: Uint8Array): void {
    this.#h = hash(this.#h, data);
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, tempK] = hkdf2(this.#ck, ikm);
    this.#ck = ck;
    this.#cs = new CipherState(tempK.subarray(0, 32));
  }

  encryptAndHash(pt: Uint8Array): Uint8Array {
    const ct = this.#cs.encryptWithAd(this.#h, pt);
    this.mixHash(ct);
    return ct;
  }

  decryptAndHash(ct: Uint8Array): Uint8Array | null {
    const pt = this.#cs.decryptWithAd(this.#h, ct);
    if (pt) this.mixHash(ct);
    return pt;
  }

  /** Two keys: [initiator → responder, responder → initiator]. */
  split(): [Uint8Array, Uint8Array] {
    const [k1, k2] = hkdf2(this.#ck, new Uint8Array(0));
    return [k1.slice(0, 32), k2.slice(0, 32)];
  }
}
