/** The swarm watch with a fake daemon and a fake clock: pulses, origin limits, and when it polls at all. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../agent/lib/common/logger.ts';
import { FakeClock } from '../../../agent/lib/simnet/fake-clock.ts';
import { daemonTraits } from '../../../agent/lib/transmission/daemon-traits.ts';
import type { PeerRow, SwarmView } from '../../../agent/lib/transmission/swarm-view.ts';
import { PEER_WAIT_MS, SwarmWatch, type SwarmWatchInit } from '../../../agent/manager/swarm/swarm-watch.ts';

const H = 'd'.repeat(40);
const peer = (key: string, progress: number): PeerRow => ({
  key,
  clientIsChoked: true,
  clientIsInterested: false,
  peerIsChoked: true,
  peerIsInterested: true,
  progress,
});

function rig(init: Partial<SwarmWatchInit> = {}) {
  const clock = new FakeClock();
  const state: { views: SwarmView[]; calls: string[]; polls: number; pulses: number } = {
    views: [],
    calls: [],
    polls: 0,
    pulses: 0,
  };
  const w = new SwarmWatch(
    {
      tx: {
        traits: async () => daemonTraits('4.1.0', 18),
        swarm: async (hs) => {
          state.polls++;
          return state.views.filter((v) => hs.includes(v.hashString));
        },
        setUploadLimit: async (h, k) => void state.calls.push(`${h.slice(0, 4)}:${k}`),
      },
      pulser: { pulse: async () => void state.pulses++ },
      clock,
      log: silentLogger(),
    },
    {
      pollMs: 250,
      windowMs: 5000,
      rechoke: { minGapMs: 1000, maxPulses: 10 },
      shaping: {
        rule: 'complete-peer',
        limitKBps: 20,
        estimateFraction: 0.25,
        uploadFactor: 1,
        sumFactor: 1,
        starveMs: 3000,
        holdMs: 0,
      },
      ...init,
    },
  );
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 250) {
      clock.advance(250);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    }
  };
  return { clock, state, w, step };
}

const view = (percentDone: number, peers: PeerRow[]): SwarmView => ({
  hashString: H,
  percentDone,
  status: percentDone < 1 ? 4 : 6,
  sizeWhenDone: 100,
  uploadedEver: 0,
  rateUpload: 0,
  uploadLimited: false,
  peers,
});

test('nothing watched: no polling at all', async () => {
  const { state, step, clock, w } = rig();
  await step(2000);
  assert.equal(state.polls, 0);
  assert.equal(clock.pending(), 0);
  w.stop();
});

test('a watched download with a new peer gets a pulse; the watch ends after its window once done', async () => {
  const { state, step, w, clock } = rig();
  state.views = [view(0.1, [])];
  w.touch(H);
  await step(500);
  assert.equal(state.pulses, 0);
  state.views = [view(0.2, [peer('p1:1', 0.5)])];
  await step(500);
  assert.equal(state.pulses, 1);
  state.views = [view(1, [])];
  await step(6000);
  const polls = state.polls;
  await step(2000);
  assert.equal(state.polls, polls, 'unwatched: no more polls');
  assert.equal(clock.pending(), 0);
  w.stop();
});

test('origin: limited when a peer is complete, lifted when the watch ends', async () => {
  const { state, step, w } = rig();
  state.views = [view(1, [peer('p1:1', 0.4)])];
  w.markOrigin(H);
  await step(500);
  assert.deepEqual(state.calls, []);
  state.views = [view(1, [peer('p1:1', 0.5), peer('p2:1', 1)])];
  await step(500);
  assert.deepEqual(state.calls, [`${H.slice(0, 4)}:20`]);
  state.views = [{ ...view(1, []), uploadLimited: true }]; // everyone left: nobody is waiting
  await step(6000);
  assert.deepEqual(state.calls, [`${H.slice(0, 4)}:20`, `${H.slice(0, 4)}:null`]);
  w.stop();
});

test('origin: natm named a peer that connects only after the window: still watched, limited, lifted after', async () => {
  const { state, step, w, clock } = rig();
  state.views = [view(1, [])];
  w.markOrigin(H);
  await step(6000); // the publish's own window ends: nobody there
  const idle = state.polls;
  await step(1000);
  assert.equal(state.polls, idle, 'unwatched once published and alone');
  w.peersNamed(H);
  await step(8000); // the named peer takes longer than the 5 s window to connect
  state.views = [view(1, [peer('p1:1', 0.5)])];
  await step(500);
  state.views = [view(1, [peer('p1:1', 1)])];
  await step(500);
  assert.deepEqual(state.calls, [`${H.slice(0, 4)}:20`], 'limited: the watch waited for the peer');
  state.views = [{ ...view(1, []), uploadLimited: true }];
  await step(6000);
  assert.deepEqual(state.calls, [`${H.slice(0, 4)}:20`, `${H.slice(0, 4)}:null`]);
  assert.equal(clock.pending(), 0, 'unwatched once the peer is done and gone');
  w.stop();
});

test('origin: a named peer that never connects is awaited up to PEER_WAIT_MS, a plain touch only for the window', async () => {
  const { state, step, w, clock } = rig();
  state.views = [view(1, [])];
  w.markOrigin(H);
  await step(6000);
  w.touch(H); // added, completed: the window only
  await step(6000);
  assert.equal(clock.pending(), 0, 'a touch alone: unwatched after the window');
  w.peersNamed(H);
  await step(PEER_WAIT_MS - 1000);
  assert.equal(clock.pending(), 1, 'still awaiting the named peer');
  await step(6000 + 1000);
  assert.equal(clock.pending(), 0, 'given up on it: unwatched');
  assert.deepEqual(state.calls, []);
  w.stop();
});

test('with both levers off, touch does nothing', async () => {
  const { state, step, w, clock } = rig({ rechoke: null, shaping: null });
  state.views = [view(0.1, [peer('p1:1', 0.5)])];
  w.touch(H);
  w.markOrigin(H);
  await step(1000);
  assert.equal(state.polls, 0);
  assert.equal(clock.pending(), 0);
  w.stop();
});
