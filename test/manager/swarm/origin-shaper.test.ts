/** The origin's upload limit: limited once the swarm holds every piece, lifted when a peer starves. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../agent/lib/simnet/fake-clock.ts';
import type { PeerRow, SwarmView } from '../../../agent/lib/transmission/swarm-view.ts';
import {
  estimateCovers,
  OriginShaper,
  type ShapePolicy,
} from '../../../agent/manager/swarm/origin-shaper.ts';

const H = 'c'.repeat(40);
const peer = (key: string, progress: number, interested = true): PeerRow => ({
  key,
  clientIsChoked: true,
  clientIsInterested: false,
  peerIsChoked: false,
  peerIsInterested: interested,
  progress,
});
const view = (peers: PeerRow[], o: Partial<SwarmView> = {}): SwarmView => ({
  hashString: H,
  percentDone: 1,
  status: 6,
  sizeWhenDone: 1000,
  uploadedEver: 0,
  rateUpload: 0,
  uploadLimited: false,
  peers,
  ...o,
});
const LIMIT = { action: 'limit', kBps: 20 };
const LIFT = { action: 'lift' };
const P: ShapePolicy = {
  rule: 'complete-peer',
  limitKBps: 20,
  estimateFraction: 0.25,
  uploadFactor: 1.2,
  sumFactor: 2,
  starveMs: 15_000,
  holdMs: 5000,
};

test('complete-peer: limited when a peer has everything, and that is remembered after it leaves', () => {
  const clock = new FakeClock();
  const s = new OriginShaper(P);
  assert.deepEqual(s.decide(view([peer('a:1', 0.5)]), clock.now()), null, 'nobody has everything');
  clock.advance(1000);
  assert.deepEqual(s.decide(view([peer('a:1', 0.6), peer('b:1', 1, false)]), clock.now()), LIMIT);
  clock.advance(1000);
  // The complete peer disconnected (seeds drop each other): still covered, still limited.
  assert.deepEqual(s.decide(view([peer('a:1', 0.7)], { uploadLimited: true }), clock.now()), null);
});

test('a peer that wants our data and makes no progress for starveMs lifts the limit', () => {
  const clock = new FakeClock();
  const s = new OriginShaper(P);
  assert.deepEqual(s.decide(view([peer('a:1', 0.5), peer('b:1', 1)]), clock.now()), LIMIT);
  for (let i = 0; i < 14; i++) {
    clock.advance(1000);
    assert.deepEqual(
      s.decide(view([peer('a:1', 0.5)], { uploadLimited: true }), clock.now()),
      null,
      `t=${i}`,
    );
  }
  clock.advance(1000);
  assert.deepEqual(s.decide(view([peer('a:1', 0.5)], { uploadLimited: true }), clock.now()), LIFT);
  clock.advance(10_000);
  assert.equal(
    s.decide(view([peer('a:1', 0.5)], { uploadLimited: false }), clock.now()),
    null,
    'not covered any more: no new limit until a complete peer is seen again',
  );
});

test('a peer that progresses is not starving; one not interested in us is not either', () => {
  const clock = new FakeClock();
  const s = new OriginShaper(P);
  s.decide(view([peer('a:1', 0.1), peer('z:1', 1)]), clock.now());
  for (let i = 1; i <= 30; i++) {
    clock.advance(1000);
    const peers = [peer('a:1', 0.1 + i / 100), peer('n:1', 0.3, false)];
    assert.deepEqual(s.decide(view(peers, { uploadLimited: true }), clock.now()), null);
  }
});

test('no change within holdMs of the last one', () => {
  const clock = new FakeClock();
  const s = new OriginShaper({ ...P, starveMs: 1000, holdMs: 5000 });
  assert.deepEqual(s.decide(view([peer('a:1', 0.5), peer('b:1', 1)]), clock.now()), LIMIT);
  clock.advance(2000);
  assert.deepEqual(s.decide(view([peer('a:1', 0.5)], { uploadLimited: true }), clock.now()), null, 'held');
  clock.advance(3000);
  assert.deepEqual(s.decide(view([peer('a:1', 0.5)], { uploadLimited: true }), clock.now()), LIFT);
});

test('estimate: uploaded uploadFactor·F and peer progress summing to sumFactor; complete-peer ignores it', () => {
  const peers = [peer('a:1', 0.7), peer('b:1', 0.7), peer('c:1', 0.7)];
  assert.equal(estimateCovers(view(peers, { uploadedEver: 1200 }), { ...P, rule: 'estimate' }), true);
  assert.equal(estimateCovers(view(peers, { uploadedEver: 1100 }), { ...P, rule: 'estimate' }), false);
  assert.equal(
    estimateCovers(view(peers.slice(1), { uploadedEver: 5000 }), { ...P, rule: 'estimate' }),
    false,
  );
  assert.equal(estimateCovers(view(peers, { uploadedEver: 1200 }), P), false);
});

test('a torrent still downloading is never limited; forget says whether we had limited it', () => {
  const clock = new FakeClock();
  const s = new OriginShaper(P);
  assert.deepEqual(s.decide(view([peer('b:1', 1)], { percentDone: 0.5 }), clock.now()), null);
  assert.deepEqual(s.decide(view([peer('b:1', 1)]), clock.now()), LIMIT);
  assert.equal(s.forget(H), true);
  assert.equal(s.forget(H), false);
});

test('estimate: the limit is a fraction of the fastest upload seen; a complete peer later cuts it to the trickle', () => {
  const clock = new FakeClock();
  const s = new OriginShaper({ ...P, rule: 'estimate', uploadFactor: 1, sumFactor: 1, holdMs: 0 });
  const peers = [peer('a:1', 0.6), peer('b:1', 0.5)];
  assert.equal(s.decide(view(peers, { uploadedEver: 500, rateUpload: 2_400_000 }), clock.now()), null);
  clock.advance(1000);
  assert.deepEqual(s.decide(view(peers, { uploadedEver: 1000, rateUpload: 2_000_000 }), clock.now()), {
    action: 'limit',
    kBps: 600,
  });
  clock.advance(1000);
  const more = [peer('a:1', 0.7), peer('b:1', 1)];
  assert.deepEqual(s.decide(view(more, { uploadedEver: 1100, uploadLimited: true }), clock.now()), LIMIT);
  clock.advance(1000);
  assert.equal(s.decide(view(more, { uploadedEver: 1100, uploadLimited: true }), clock.now()), null);
});

test('a limit someone else set is left alone', () => {
  const s = new OriginShaper(P);
  assert.equal(s.decide(view([peer('b:1', 1)], { uploadLimited: true }), 0), null);
});
