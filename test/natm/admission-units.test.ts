/**
 * Unit tests of the admission parts (issue 16 items 1, 2, 9): return-routability tokens and
 * byte credit (address-proof.ts), fair shares per source (fair-share.ts), the peer book's
 * admission order (proven first, never displaced; quotas; ties keep incumbents) and the
 * rendezvous's session and namespace shares (spaces.ts). The attacks themselves run on the
 * simulated network: natm-admission, lock-out and amplification tests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressProof, CREDIT_CAP } from '../../agent/lib/net/address-proof.ts';
import { Counters } from '../../agent/lib/net/counters.ts';
import { FairShare, sourceKey } from '../../agent/lib/net/fair-share.ts';
import { PeerBook } from '../../agent/natm/peer-book.ts';
import { rendezvousConfig } from '../../agent/rendezvous/config.ts';
import { Spaces } from '../../agent/rendezvous/spaces.ts';

const A = { address: '198.18.0.1', port: 4000 };
const B = { address: '198.18.0.2', port: 4000 };

test('address proof: only our token for that address proves it, for ttlMs; a token lives one to two minutes', () => {
  let now = 60_000 * 100;
  const p = new AddressProof({ now: () => now }, { ttlMs: 50_000, maxEntries: 8 });
  const t = p.token(A);
  assert.equal(p.token(A), t, 'stable within the minute');
  assert.notEqual(t, 0);
  assert.equal(p.echo(B, t), false, 'bound to the address');
  assert.equal(p.echo(A, t ^ 1), false);
  assert.equal(p.echo(A, 0), false);
  assert.equal(p.isProven(A), false);
  now += 59_000;
  assert.equal(p.echo(A, t), true, 'the previous minute is accepted');
  assert.equal(p.isProven(A), true);
  now += 50_001;
  assert.equal(p.isProven(A), false, 'a proof lasts ttlMs from the last echo');
  now += 60_000;
  assert.equal(p.echo(A, t), false, 'two minutes on, the token is dead');
});

test('address proof: an unproven address gets no more bytes than it sent (capped), a proven or trusted one anything', () => {
  const p = new AddressProof({ now: () => 0 }, { ttlMs: 1000, maxEntries: 8 });
  assert.equal(p.spend(A, 1), false, 'nothing received, nothing sent');
  p.received(A, 150);
  assert.equal(p.spend(A, 151), false);
  assert.equal(p.spend(A, 150), true);
  assert.equal(p.spend(A, 1), false, 'credit spent');
  for (let i = 0; i < 100; i++) p.received(A, 1280);
  assert.equal(p.spend(A, CREDIT_CAP), true);
  assert.equal(p.spend(A, 1), false, `at most ${CREDIT_CAP} banked`);
  p.echo(A, p.token(A));
  assert.equal(p.spend(A, 100_000), true, 'proven');
  p.trust(B);
  assert.equal(p.spend(B, 100_000), true, 'trusted (configured server)');
  assert.equal(p.fresh(A, 7), true);
  assert.equal(p.fresh(A, 7), false, 'a token of theirs is answered once');
});

test('address proof: bounded; a flood of spoofed credits never forgets a proof', () => {
  const p = new AddressProof({ now: () => 0 }, { ttlMs: 1000, maxEntries: 4 });
  p.echo(A, p.token(A));
  for (let i = 0; i < 1000; i++) p.received({ address: `198.19.${i >> 8}.${i & 255}`, port: 1 }, 100);
  assert.deepEqual(p.sizes(), { credits: 4, proofs: 1 });
  assert.equal(p.isProven(A), true);
});

test('fair share and source keys', () => {
  const f = new FairShare();
  for (const i of [1, 2, 3]) f.add('x', `x${i}`);
  f.add('y', 'y1');
  assert.equal(f.largest(), 'x');
  assert.equal(f.oldest('x'), 'x1');
  f.touch('x1');
  assert.equal(f.oldest('x'), 'x2', 'touched: newest again');
  assert.deepEqual([...f.items('x')], ['x2', 'x3', 'x1']);
  f.delete('x2');
  f.delete('x3');
  assert.equal(f.count('x'), 1);
  assert.equal(f.size, 2);
  assert.equal(sourceKey('198.18.7.9', 24), '198.18.7.0/24');
  assert.equal(sourceKey('198.18.7.9', 32), '198.18.7.9');
});

test('peer book: proven peers always get in and are never displaced; quotas per source; ties keep incumbents', () => {
  const evicted: string[] = [];
  const book = new PeerBook({ maxPeers: 4, perSource: 2, onEvict: (p) => evicted.push(p.id) });
  const proven = new Set(['p1', 'p2', 'p3']);
  book.setProven((id) => proven.has(id));
  assert.ok(book.ensure('a1', 'A') && book.ensure('a2', 'A'));
  assert.ok(book.ensure('a3', 'A'), 'at its quota, a source displaces its own oldest');
  assert.deepEqual(evicted, ['a1']);
  assert.ok(book.ensure('b1', 'B') && book.ensure('c1', 'C'));
  assert.equal(book.size, 4);
  assert.ok(book.ensure('d1', 'D'), 'full: the source holding the most (2) gives up its oldest');
  assert.deepEqual(evicted, ['a1', 'a2']);
  assert.equal(book.ensure('e1', 'E'), undefined, 'every source holds 1: ties keep the incumbents');
  assert.ok(book.ensure('p1', 'E') && book.ensure('p2', 'E') && book.ensure('p3', 'E'), 'proven: always in');
  assert.equal(book.unprovenCount, 1);
  proven.add('p4');
  assert.ok(book.ensure('p4', 'F'));
  assert.equal(book.unprovenCount, 0);
  assert.equal(book.ensure('u1', 'G'), undefined, 'a book full of proven peers refuses the unproven');
  assert.equal(book.size, 4);
  assert.equal(evicted.length, 6);
});

test('rendezvous spaces: a source holds at most its quota; ties keep incumbents; namespaces go with their last session', () => {
  const counters = new Counters();
  const cfg = rendezvousConfig({ open: true, maxSessions: 3, sessionsPerSource: 2, namespacesPerSource: 1 });
  const sp = new Spaces(cfg, counters);
  const at = { internals: [] };
  assert.ok(sp.join('n1', 'a1', at, 'A', 0) && sp.join('n1', 'a2', at, 'A', 1));
  assert.equal(sp.join('n1', 'a3', at, 'A', 2), 'new', 'its own stalest makes room');
  assert.equal(sp.get('n1')?.table.get('a1'), undefined);
  assert.equal(sp.join('n2', 'a4', at, 'A', 3), null, 'namespacesPerSource 1');
  assert.equal(counters.get('drop_namespaces_per_source'), 1);
  assert.ok(sp.join('n2', 'b1', at, 'B', 4));
  assert.equal(sp.sessions, 3);
  assert.equal(sp.join('n3', 'c1', at, 'C', 5), 'new', 'full: A (2) gives up its stalest for C (0)');
  assert.equal(sp.join('n3', 'd1', at, 'D', 6), null, 'A, B, C hold one each: refused');
  assert.equal(counters.get('drop_table_full'), 1);
  assert.deepEqual(
    [...sp.all()].map((s) => s.ns).sort(),
    ['n1', 'n2', 'n3'],
    'no empty namespace made for d1',
  );
  sp.remove('b1', 7);
  assert.deepEqual([...sp.all()].map((s) => s.ns).sort(), ['n1', 'n3'], 'n2 went with its last session');
});
