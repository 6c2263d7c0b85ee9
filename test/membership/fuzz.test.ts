/**
 * Untrusted bytes never throw: random and mutated packets into SecureLinks.receive, and
 * mutated certificates, requests and lists into their parsers (coded errors only).
 * Deterministic: a seeded xorshift, bounded loops.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyCertificate } from '../../agent/lib/membership/certificate.ts';
import { MembershipError } from '../../agent/lib/membership/errors.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { parseRequest } from '../../agent/lib/membership/request.ts';
import { openRevocationList, signRevocationList } from '../../agent/lib/membership/revocation.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureLinks } from '../../agent/lib/membership/secure-links.ts';
import { makeCa, makeNode, NOW, NOW_S, random, type TestCa, type TestNode } from './fixtures.ts';

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const b = new Uint8Array(src);
  const kind = Math.floor(r() * 4);
  if (kind === 0) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
  if (kind === 1) return b.subarray(0, Math.floor(r() * b.length));
  if (kind === 2) return new Uint8Array([...b, ...random(1 + Math.floor(r() * 8))]);
  if (kind === 3) for (let i = 0; i < 4; i++) b[Math.floor(r() * b.length)]! ^= 1 << Math.floor(r() * 8);
  return b;
}

describe('fuzz: untrusted bytes', () => {
  let ca: TestCa;
  let a: TestNode;
  let b: TestNode;
  before(async () => {
    await membershipReady();
    ca = await makeCa('lab');
    a = await makeNode(ca);
    b = await makeNode(ca);
  });

  it('SecureLinks.receive never throws on random or mutated packets, and the link still works after', () => {
    const now = { t: NOW };
    const mk = (n: TestNode) =>
      new SecureLinks(
        { clock: { now: () => now.t }, random, revocation: new RevocationState() },
        { identity: n.identity, ca, cluster: 'lab' },
      );
    const A = mk(a);
    const B = mk(b);
    // A real exchange, recording every honest packet as fuzz seed material.
    const seeds: Uint8Array[] = [];
    let toB = A.send('b', new TextEncoder().encode('x'));
    for (let round = 0; round < 10 && toB.length; round++) {
      const toA: Uint8Array[] = [];
      for (const p of toB) {
        seeds.push(p);
        toA.push(...B.receive('a', p).send);
      }
      toB = [];
      for (const p of toA) {
        seeds.push(p);
        toB.push(...A.receive('b', p).send);
      }
    }
    assert.ok(seeds.length >= 5, 'a full handshake was recorded');
    const r = rng(42);
    let dropped = 0;
    for (let i = 0; i < 3000; i++) {
      const pkt =
        r() < 0.3 ? random(Math.floor(r() * 600)) : mutate(seeds[Math.floor(r() * seeds.length)]!, r);
      const target = r() < 0.5 ? A : B;
      const res = target.receive(r() < 0.5 ? 'a' : 'b', pkt);
      if (res.dropped) dropped++;
      for (const d of res.deliver) assert.equal(d.peerId === a.nodeId || d.peerId === b.nodeId, true);
    }
    assert.ok(dropped > 1000);
    const got = A.send('b', new TextEncoder().encode('still here')).flatMap((p) => B.receive('a', p).deliver);
    assert.deepEqual(
      got.map((d) => new TextDecoder().decode(d.payload)),
      ['still here'],
    );
  });

  it('certificate, request and list parsers throw only coded MembershipErrors', async () => {
    const crl = await signRevocationList({ cluster: 'lab', seq: 1, issuedAt: NOW_S, ids: [a.nodeId] }, ca);
    const r = rng(7);
    const inputs: [Uint8Array, (x: Uint8Array) => unknown][] = [
      [a.cert, (x) => verifyCertificate(x, { ca, cluster: 'lab', now: NOW })],
      [crl, (x) => openRevocationList(x, ca, 'lab')],
      [a.cert, (x) => parseRequest(x)],
    ];
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const [seed, fn] = inputs[i % inputs.length]!;
      try {
        fn(mutate(seed, r));
      } catch (e) {
        assert.ok(e instanceof MembershipError, `${String(e)}`);
        refused++;
      }
    }
    assert.ok(refused > 1000);
  });
});
