import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyCertificate } from '../../agent/lib/membership/certificate.ts';
import { CookieJar } from '../../agent/lib/membership/cookie.ts';
import {
  admit,
  Initiator,
  Responder,
  type HandshakeInit,
  type Step,
} from '../../agent/lib/membership/handshake.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import type { TransportSession } from '../../agent/lib/membership/session.ts';
import { T_COOKIE, T_HS2, T_HS3 } from '../../agent/lib/membership/wire.ts';
import { makeCa, makeNode, NOW, random, type TestCa, type TestNode } from './fixtures.ts';

const ADDR = '198.18.0.5:4000';
function sent(s: Step): Uint8Array {
  assert.ok(s.ok, s.ok ? '' : `${s.error.code}: ${s.error.message}`);
  assert.ok(s.send);
  return s.send;
}
function errCode(s: Step): string {
  assert.equal(s.ok, false);
  return s.ok ? 'OK' : s.error.code;
}

describe('Noise XX handshake with certificates', () => {
  let ca: TestCa;
  let a: TestNode;
  let b: TestNode;
  const revoked = new Set<string>();
  const init = (n: TestNode, extra: Partial<HandshakeInit> = {}, c = ca): HandshakeInit => ({
    identity: n.identity,
    checkPeer: (cert) =>
      verifyCertificate(cert, { ca: c, cluster: c.cluster, now: NOW, isRevoked: (id) => revoked.has(id) }),
    ...extra,
  });
  const jar = () => new CookieJar({ clock: { now: () => NOW }, random });

  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
    a = await makeNode(ca);
    b = await makeNode(ca);
  });

  /** Runs the exchange up to HS2; returns the parties and the HS2 bytes. */
  function toHs2(ia = init(a), rb = init(b)) {
    const i = new Initiator({ random }, ia);
    const j = jar();
    const hello = i.hello();
    const gate1 = admit(j, ADDR, hello);
    assert.equal(gate1.admit, false);
    const cookieMsg = gate1.admit ? undefined : gate1.reply;
    assert.ok(cookieMsg && cookieMsg[0] === T_COOKIE && cookieMsg.length < hello.length, 'no amplification');
    const hs1 = sent(i.receive(cookieMsg));
    assert.equal(admit(j, ADDR, hs1).admit, true);
    const r = new Responder({ random }, rb);
    const hs2 = sent(r.receive(hs1));
    assert.equal(hs2[0], T_HS2);
    return { i, r, hs2 };
  }

  function complete(): { si: TransportSession; sr: TransportSession } {
    const { i, r, hs2 } = toHs2();
    const s3 = i.receive(hs2);
    const hs3 = sent(s3);
    assert.equal(hs3[0], T_HS3);
    const done = r.receive(hs3);
    assert.ok(done.ok && done.session && s3.ok && s3.session);
    return { si: s3.session, sr: done.session };
  }

  it('completes, each side learns the other certificate, messages flow both ways', () => {
    const { si, sr } = complete();
    assert.equal(si.peer.nodeId, b.nodeId);
    assert.equal(sr.peer.nodeId, a.nodeId);
    const m = new TextEncoder().encode('update notification');
    const r1 = sr.open(si.seal(m));
    assert.ok(r1.ok);
    assert.deepEqual([...r1.plaintext], [...m]);
    const r2 = si.open(sr.seal(Uint8Array.of(7)));
    assert.ok(r2.ok && r2.plaintext[0] === 7);
  });

  it('the handshake never shows a certificate in clear', () => {
    const { i, hs2 } = toHs2();
    const hs3 = sent(i.receive(hs2));
    for (const [pkt, cert] of [
      [hs2, b.cert],
      [hs3, a.cert],
    ] as const)
      assert.equal(Buffer.from(pkt).indexOf(Buffer.from(cert.subarray(20, 60))), -1);
  });

  it('the gate answers a wrong or expired cookie with a fresh COOKIE and admits nothing', () => {
    let now = NOW;
    const j = new CookieJar({ clock: { now: () => now }, random }, { bucketMs: 60_000 });
    const i = new Initiator({ random }, init(a));
    const gate = admit(j, ADDR, i.hello());
    const cookieMsg = gate.admit ? assert.fail('admitted') : gate.reply!;
    const hs1 = sent(i.receive(cookieMsg));
    assert.equal(admit(j, '198.18.0.6:4000', hs1).admit, false, 'cookie bound to the address');
    const wrong = new Uint8Array(hs1);
    wrong[3]! ^= 1;
    assert.equal(admit(j, ADDR, wrong).admit, false);
    now += 60_000;
    assert.equal(admit(j, ADDR, hs1).admit, true, 'previous bucket still accepted');
    now += 60_000;
    const late = admit(j, ADDR, hs1);
    assert.equal(late.admit, false, 'two buckets later the cookie expired');
    assert.ok(!late.admit && late.reply?.[0] === T_COOKIE);
    assert.equal(admit(j, ADDR, new Uint8Array(10)).admit, false);
  });

  it('the initiator refuses a COOKIE that does not echo its key, and endless COOKIE rounds', () => {
    const i = new Initiator({ random }, init(a));
    const j = jar();
    const good = admit(j, ADDR, i.hello());
    const reply = good.admit ? assert.fail() : good.reply!;
    const bad = new Uint8Array(reply);
    bad[2]! ^= 1;
    assert.equal(errCode(i.receive(bad)), 'BAD_COOKIE');
    for (let k = 0; k < 3; k++) sent(i.receive(reply));
    assert.equal(errCode(i.receive(reply)), 'BAD_COOKIE');
  });

  it('a flipped bit anywhere in HS2 or HS3 fails, and the honest message still works after', () => {
    const { i, r, hs2 } = toHs2();
    for (const at of [1, 40, 70, hs2.length - 1]) {
      const bad = new Uint8Array(hs2);
      bad[at]! ^= 0x80;
      assert.ok(['DECRYPT_FAILED', 'MALFORMED'].includes(errCode(i.receive(bad))), `HS2 byte ${at}`);
    }
    const hs3 = sent(i.receive(hs2));
    for (const at of [1, 30, 60, hs3.length - 1]) {
      const bad = new Uint8Array(hs3);
      bad[at]! ^= 0x01;
      assert.equal(errCode(r.receive(bad)), 'DECRYPT_FAILED', `HS3 byte ${at}`);
    }
    assert.ok(r.receive(hs3).ok);
    assert.equal(errCode(r.receive(hs3)), 'UNEXPECTED', 'no second completion');
    assert.equal(errCode(i.receive(hs2)), 'UNEXPECTED');
  });

  it('refuses a peer of another cluster (same CA), of another CA, or a revoked peer', async () => {
    const otherCluster = await makeNode(ca, { cluster: 'other' });
    const x = toHs2(init(otherCluster), init(b));
    const hs3x = sent(x.i.receive(x.hs2)); // otherCluster's policy is "lab" too: it accepts b
    assert.equal(errCode(x.r.receive(hs3x)), 'WRONG_CLUSTER', 'b refuses a cert of cluster "other"');
    const y = toHs2(init(b), init(otherCluster));
    assert.equal(errCode(y.i.receive(y.hs2)), 'WRONG_CLUSTER');
    const otherCa = await makeCa('lab');
    const stranger = await makeNode(otherCa);
    const z = toHs2(init(b), init(stranger, {}, otherCa));
    assert.equal(errCode(z.i.receive(z.hs2)), 'WRONG_CA', 'b refuses a stranger CA');
    revoked.add(a.nodeId);
    try {
      const w = toHs2(init(a), init(b));
      const hs3w = sent(w.i.receive(w.hs2));
      assert.equal(errCode(w.r.receive(hs3w)), 'REVOKED');
      const v = toHs2(init(b), init(a));
      assert.equal(errCode(v.i.receive(v.hs2)), 'REVOKED');
    } finally {
      revoked.delete(a.nodeId);
    }
  });

  it('refuses a certificate whose kx key is not the static key used (KEY_MISMATCH)', async () => {
    const thief = await makeNode(ca);
    // The thief presents b's certificate with its own X25519 key.
    const { i, hs2 } = toHs2(init(a), { ...init(thief), identity: { cert: b.cert, kx: thief.kx } });
    assert.equal(errCode(i.receive(hs2)), 'KEY_MISMATCH');
  });

  it('the initiator refuses a valid peer that is not the one it called (PEER_MISMATCH)', () => {
    const { i, hs2 } = toHs2(init(a, { expectPeer: 'f'.repeat(32) }));
    assert.equal(errCode(i.receive(hs2)), 'PEER_MISMATCH');
  });

  it('transport: tampering, replay and a too-old counter are refused; reordering is fine', () => {
    const { si, sr } = complete();
    const pkts = Array.from({ length: 5 }, (_, k) => si.seal(Uint8Array.of(k)));
    assert.ok(sr.open(pkts[3]!).ok);
    assert.ok(sr.open(pkts[1]!).ok);
    assert.equal(sr.open(pkts[1]!).ok, false);
    const r = sr.open(pkts[3]!);
    assert.ok(!r.ok && r.error.code === 'REPLAY');
    const bad = new Uint8Array(pkts[4]!);
    bad[6]! ^= 1; // counter byte: authenticated as associated data
    const rb = sr.open(bad);
    assert.ok(!rb.ok && ['DECRYPT_FAILED', 'REPLAY'].includes(rb.error.code));
    const bad2 = new Uint8Array(pkts[4]!);
    bad2[bad2.length - 1]! ^= 1;
    const rb2 = sr.open(bad2);
    assert.ok(!rb2.ok && rb2.error.code === 'DECRYPT_FAILED');
    assert.ok(sr.open(pkts[4]!).ok, 'a forged packet did not consume the counter');
    for (let k = 0; k < 1100; k++) si.seal(Uint8Array.of(0));
    assert.ok(sr.open(si.seal(Uint8Array.of(1))).ok);
    const old = sr.open(pkts[0]!);
    assert.ok(!old.ok && old.error.code === 'REPLAY', 'older than the window');
    const otherSid = new Uint8Array(pkts[4]!);
    otherSid[2]! ^= 1;
    const ro = sr.open(otherSid);
    assert.ok(!ro.ok && ro.error.code === 'UNEXPECTED', 'session id is checked');
    const mal = sr.open(new Uint8Array(5));
    assert.ok(!mal.ok && mal.error.code === 'MALFORMED');
  });

  it("a session's keys do not open the other direction or another session", () => {
    const one = complete();
    const two = complete();
    assert.equal(one.si.open(one.si.seal(Uint8Array.of(1))).ok, false);
    assert.equal(two.sr.open(one.si.seal(Uint8Array.of(1))).ok, false);
  });
});
