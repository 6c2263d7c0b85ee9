/** When to force a rechoke: the pure decider on a fake clock (no daemon, no sleep). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../agent/lib/simnet/fake-clock.ts';
import type { PeerRow, SwarmView } from '../../../agent/lib/transmission/swarm-view.ts';
import { RechokeDecider } from '../../../agent/manager/swarm/rechoke-decider.ts';

const H = 'a'.repeat(40);
const peer = (key: string, o: Partial<PeerRow> = {}): PeerRow => ({
  key,
  clientIsChoked: true,
  clientIsInterested: false,
  peerIsChoked: true,
  peerIsInterested: false,
  progress: 0,
  ...o,
});
const view = (percentDone: number, peers: PeerRow[], hashString = H): SwarmView => ({
  hashString,
  percentDone,
  status: percentDone < 1 ? 4 : 6,
  sizeWhenDone: 1000,
  uploadedEver: 0,
  rateUpload: 0,
  uploadLimited: false,
  peers,
});
const policy = { minGapMs: 1000, maxPulses: 3, quietFrom: 1 };

test('a new peer asks for a pulse; the same peers again do not', () => {
  const clock = new FakeClock();
  const d = new RechokeDecider(policy);
  assert.equal(d.observe([view(0, [])], clock.now()), null, 'no peer yet');
  assert.deepEqual(d.observe([view(0, [peer('10.1.0.2:1')])], clock.now()), {
    reason: 'new-peer',
    torrents: [H],
  });
  clock.advance(5000);
  assert.equal(d.observe([view(0, [peer('10.1.0.2:1')])], clock.now()), null);
});

test('pulses are spaced by minGapMs; what arrived meanwhile is owed and paid after the gap', () => {
  const clock = new FakeClock();
  const d = new RechokeDecider(policy);
  assert.ok(d.observe([view(0, [peer('p1:1')])], clock.now()));
  clock.advance(300);
  assert.equal(d.observe([view(0, [peer('p1:1'), peer('p2:1')])], clock.now()), null, 'within the gap');
  clock.advance(300);
  assert.equal(d.observe([view(0, [peer('p1:1'), peer('p2:1')])], clock.now()), null, 'still within');
  clock.advance(400);
  assert.equal(d.observe([view(0, [peer('p1:1'), peer('p2:1')])], clock.now())?.reason, 'new-peer');
  assert.equal(d.pulses, 2);
});

test('a peer interested in us while we choke it asks once (a full slot set does not ask forever)', () => {
  const clock = new FakeClock();
  const d = new RechokeDecider(policy);
  d.observe([view(1, [peer('p1:1')])], clock.now());
  clock.advance(2000);
  const wants = peer('p1:1', { peerIsInterested: true, peerIsChoked: true });
  assert.equal(d.observe([view(1, [wants])], clock.now())?.reason, 'wants-unchoke');
  clock.advance(2000);
  assert.equal(d.observe([view(1, [wants])], clock.now()), null, 'still choked: no second pulse');
});

test('downloading: a peer with more than we have, that we are not interested in, asks for a pulse', () => {
  const clock = new FakeClock();
  const d = new RechokeDecider(policy);
  d.observe([view(0.2, [peer('p1:1', { progress: 0.1 })])], clock.now());
  clock.advance(2000);
  assert.equal(d.observe([view(0.2, [peer('p1:1', { progress: 0.1 })])], clock.now()), null, 'has less');
  clock.advance(2000);
  const ahead = peer('p1:1', { progress: 0.5 });
  assert.equal(d.observe([view(0.2, [ahead])], clock.now())?.reason, 'wants-interest');
  clock.advance(2000);
  const interested = peer('p1:1', { progress: 0.6, clientIsInterested: true });
  assert.equal(d.observe([view(0.3, [interested])], clock.now()), null, 'interested now: nothing to do');
});

test('at most maxPulses per torrent', () => {
  const clock = new FakeClock();
  const d = new RechokeDecider(policy);
  let n = 0;
  for (let i = 0; i < 10; i++) {
    if (d.observe([view(0, [peer(`p${i}:1`)])], clock.now())) n++;
    clock.advance(1500);
  }
  assert.equal(n, policy.maxPulses);
});

test('3.00 quiet zone: no pulse while a torrent of ours is between quietFrom and done', () => {
  const clock = new FakeClock();
  const d = new RechokeDecider({ ...policy, quietFrom: 0.9 });
  const seed = view(1, [peer('s1:1', { peerIsInterested: true })], 'b'.repeat(40));
  assert.equal(d.observe([view(0.95, []), seed], clock.now()), null, 'held back');
  clock.advance(2000);
  assert.equal(d.observe([view(0.97, []), seed], clock.now()), null, 'still held back');
  clock.advance(2000);
  assert.equal(d.observe([view(1, []), seed], clock.now())?.reason, 'new-peer', 'paid once done');
});

test('forget drops a torrent: its peers count as new again', () => {
  const clock = new FakeClock();
  const d = new RechokeDecider(policy);
  d.observe([view(0, [peer('p1:1')])], clock.now());
  d.forget(H);
  clock.advance(2000);
  assert.equal(d.observe([view(0, [peer('p1:1')])], clock.now())?.reason, 'new-peer');
});
