import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { hkdf2, hmac } from '../../agent/lib/membership/noise-crypto.ts';
import { SymmetricState } from '../../agent/lib/membership/symmetric-state.ts';
import { ReplayWindow } from '../../agent/lib/wire/replay-window.ts';

describe('Noise primitives', () => {
  before(() => membershipReady());

  it('HMAC-BLAKE2b over libsodium equals OpenSSL HMAC with blake2b512', () => {
    for (const [k, d] of [
      [Buffer.alloc(64, 1), Buffer.from('abc')],
      [Buffer.alloc(0), Buffer.alloc(300, 9)],
      [Buffer.alloc(200, 3), Buffer.from('long key hashed first')],
    ]) {
      const ours = Buffer.from(hmac(k!, d!)).toString('hex');
      assert.equal(ours, createHmac('blake2b512', k!).update(d!).digest('hex'));
    }
  });

  it('HKDF follows Noise §4.3: o1 = HMAC(t, 0x01), o2 = HMAC(t, o1 ‖ 0x02)', () => {
    const ck = Buffer.alloc(64, 7);
    const ikm = Buffer.from('ikm');
    const t = createHmac('blake2b512', ck).update(ikm).digest();
    const o1 = createHmac('blake2b512', t).update(Buffer.of(1)).digest();
    const o2 = createHmac('blake2b512', t)
      .update(Buffer.concat([o1, Buffer.of(2)]))
      .digest();
    const [a, b] = hkdf2(ck, ikm);
    assert.equal(Buffer.from(a).toString('hex'), o1.toString('hex'));
    assert.equal(Buffer.from(b).toString('hex'), o2.toString('hex'));
  });

  it('SymmetricState: name padded to HASHLEN; encryptAndHash round-trips after mixKey', () => {
    const x = new SymmetricState('Noise_XX_25519_ChaChaPoly_BLAKE2b');
    assert.equal(Buffer.from(x.h.subarray(0, 9)).toString(), 'Noise_XX_');
    assert.ok(x.h.subarray(33).every((b) => b === 0));
    const y = x.clone();
    x.mixKey(Buffer.from('k'));
    y.mixKey(Buffer.from('k'));
    const ct = x.encryptAndHash(Buffer.from('hello'));
    assert.equal(ct.length, 5 + 16);
    assert.equal(Buffer.from(y.decryptAndHash(ct)!).toString(), 'hello');
    assert.deepEqual(x.h, y.h);
    assert.deepEqual(x.split(), y.split());
    const z = x.clone();
    const bad = new Uint8Array(x.encryptAndHash(Buffer.from('x')));
    bad[0]! ^= 1;
    assert.equal(z.decryptAndHash(bad), null);
  });
});

describe('replay window', () => {
  it('accepts new, refuses seen and too-old counters, slides on big jumps', () => {
    const w = new ReplayWindow(64);
    const take = (n: number) => {
      const ok = w.check(n);
      if (ok) w.commit(n);
      return ok;
    };
    assert.ok(take(0) && take(2) && take(1));
    assert.ok(!take(1) && !take(2));
    assert.ok(take(63));
    assert.ok(take(64) && !take(0), '0 fell out of the window at 64');
    assert.ok(take(10), '10 is inside the window and unseen');
    assert.ok(take(1000));
    assert.ok(!take(936), 'exactly size below top is too old');
    assert.ok(take(937) && !take(937));
    assert.ok(!w.check(-1) && !w.check(1.5));
    assert.equal(w.highest, 1000);
    assert.throws(() => new ReplayWindow(33), RangeError);
  });
});
