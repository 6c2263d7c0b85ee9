/**
 * Our Noise SymmetricState/CipherState against a published test vector: the cacophony
 * vector for Noise_NN_25519_ChaChaPoly_BLAKE2b (prologue "John Galt", fixed ephemerals).
 * NN exercises exactly the machinery XX is built from: name padding, MixHash, HKDF
 * MixKey on X25519, EncryptAndHash, Split and the transport ciphers.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { membershipReady, type Sodium } from '../../agent/lib/membership/na.ts';
import { dh } from '../../agent/lib/membership/noise-crypto.ts';
import { CipherState, SymmetricState } from '../../agent/lib/membership/symmetric-state.ts';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const V = {
  name: 'Noise_NN_25519_ChaChaPoly_BLAKE2b',
  prologue: '4a6f686e2047616c74',
  initEphemeral: '893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a',
  respEphemeral: 'bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b',
  messages: [
    [
      '4c756477696720766f6e204d69736573',
      'ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573',
    ],
    [
      '4d757272617920526f746862617264',
      '95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843d10cf8ef4ab895bed3e4673211f0c9337039d63a450c7b28196b8a0ebade00',
    ],
    ['462e20412e20486179656b', 'e50ec882703a1f34bf4957d8cafd036d34e02930f672f424c676e1'],
    ['4361726c204d656e676572', '35bb2a728d3e8e5f47781d486089e4a37c5c2e4261256f44569a9f'],
    [
      '4a65616e2d426170746973746520536179',
      '69ee82006e16b79438a34ad9de37ee44d83c267e355750ecf49f194b5c50403030',
    ],
    [
      '457567656e2042f6686d20766f6e2042617765726b',
      'c568b641b01d2f644f2a890538c359915ca50552e55129c029d3721866c2646a7af3fd1eff',
    ],
  ],
} as const;

describe('Noise test vector (cacophony, NN_25519_ChaChaPoly_BLAKE2b)', () => {
  let na: Sodium;
  before(async () => {
    na = await membershipReady();
  });

  it('reproduces every handshake and transport ciphertext, and decrypts them on the other side', () => {
    const kp = (sk: string) => ({ secretKey: hex(sk), publicKey: na.crypto_scalarmult_base(hex(sk)) });
    const ie = kp(V.initEphemeral);
    const re = kp(V.respEphemeral);
    const i = new SymmetricState(V.name);
    const r = new SymmetricState(V.name);
    i.mixHash(hex(V.prologue));
    r.mixHash(hex(V.prologue));
    // -> e
    i.mixHash(ie.publicKey);
    const m0 = toHex(ie.publicKey) + toHex(i.encryptAndHash(hex(V.messages[0][0])));
    assert.equal(m0, V.messages[0][1]);
    r.mixHash(ie.publicKey);
    assert.equal(toHex(r.decryptAndHash(hex(V.messages[0][0]))!), V.messages[0][0]);
    // <- e, ee
    r.mixHash(re.publicKey);
    r.mixKey(dh(re, ie.publicKey));
    const m1 = toHex(re.publicKey) + toHex(r.encryptAndHash(hex(V.messages[1][0])));
    assert.equal(m1, V.messages[1][1]);
    i.mixHash(re.publicKey);
    i.mixKey(dh(ie, re.publicKey));
    assert.equal(toHex(i.decryptAndHash(hex(V.messages[1][1]).subarray(32))!), V.messages[1][0]);
    assert.deepEqual(i.h, r.h);
    // transport: initiator sends with k1, responder with k2, alternating
    const [ik1, ik2] = i.split();
    const [rk1, rk2] = r.split();
    const [iSend, iRecv, rSend, rRecv] = [ik1, ik2, rk2, rk1].map((k) => new CipherState(k));
    const empty = new Uint8Array(0);
    for (const [n, [pt, ct]] of V.messages.slice(2).entries()) {
      const [send, recv] = n % 2 === 0 ? [iSend!, rRecv!] : [rSend!, iRecv!];
      assert.equal(toHex(send.encryptWithAd(empty, hex(pt))), ct, `transport message ${n + 2}`);
      assert.equal(toHex(recv.decryptWithAd(empty, hex(ct))!), pt);
    }
  });
});
