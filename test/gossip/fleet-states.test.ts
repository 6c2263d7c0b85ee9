/** FleetStates: the door every state record passes before it counts (issue 16 item 4). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BroadcastQueue } from '../../agent/lib/gossip/broadcast-queue.ts';
import { FleetStates } from '../../agent/lib/gossip/fleet-states.ts';
import { LocalState } from '../../agent/lib/gossip/local-state.ts';
import type { RecordSig, StateItem } from '../../agent/lib/gossip/messages.ts';
import type { RecordAuth } from '../../agent/lib/gossip/record-auth.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';

const AHEAD = 600_000;
const AGE = 3_600_000;
const GOOD: RecordSig = { key: new Uint8Array(32).fill(1), sig: new Uint8Array(64).fill(2) };
/** A fake RecordAuth: a signature is good when it is GOOD's bytes and names the node "n…". */
const auth: RecordAuth = {
  sign: () => GOOD,
  verify: (node, _body, s) => node.startsWith('n') && s.sig[0] === 2,
};
const item = (node: string, seq: number, sig: RecordSig | null = GOOD): StateItem => ({
  kind: 'state',
  record: {
    node,
    seq,
    agentVersion: '1',
    applied: { 'app://fw': seq % 7 },
    current: null,
    btPort: 6881,
    have: [],
  },
  sig,
});

function fleet(o: { auth?: RecordAuth; max?: number; members?: Set<string> } = {}) {
  const clock = new FakeClock();
  const members = o.members ?? new Set<string>();
  const f = new FleetStates(
    { clock, auth: o.auth, isMember: (id) => members.has(id) },
    { max: o.max ?? 100, maxAheadMs: AHEAD, maxAgeMs: AGE },
  );
  return { clock, f, now: clock.now() };
}

test('seq must lie within [now − maxAge, now + maxAhead] of our clock; only a newer one replaces', () => {
  const { f, now } = fleet();
  assert.equal(f.accept(item('n1', now + AHEAD + 1)), false);
  assert.equal(f.accept(item('n1', Number.MAX_SAFE_INTEGER)), false);
  assert.equal(f.accept(item('n1', now - AGE - 1)), false);
  assert.deepEqual({ ...f.counters }, { ahead: 2, stale: 1, unsigned: 0, badSignature: 0, overflow: 0 });
  assert.equal(f.accept(item('n1', now + AHEAD)), true, 'the bound itself is inside');
  assert.equal(f.accept(item('n2', now - AGE)), true);
  assert.equal(f.accept(item('n1', now + AHEAD)), false, 'same seq: old news');
  assert.equal(f.accept(item('n2', now - AGE + 1)), true);
});

test('with certificates a record counts only when signed by its node; isSignedBy says so', () => {
  const { f, now } = fleet({ auth });
  assert.equal(f.accept(item('n1', now, null)), false);
  assert.equal(f.accept(item('n1', now, { ...GOOD, sig: new Uint8Array(64) })), false);
  assert.equal(f.accept(item('x1', now)), false, 'verify says no');
  assert.deepEqual([f.counters.unsigned, f.counters.badSignature], [1, 2]);
  assert.equal(f.get('n1'), undefined);
  assert.equal(f.accept(item('n1', now)), true);
  assert.equal(f.isSignedBy('n1'), true);
  assert.equal(f.entry('n1')!.sig, GOOD, 'kept, to pass it on');
  assert.deepEqual(f.sample(5, Math.random), [item('n1', now)]);
  assert.equal(f.isSignedBy('n2'), false);
});

test('without certificates records are unsigned: isSignedBy is never true', () => {
  const { f, now } = fleet();
  assert.equal(f.accept(item('n1', now)), true);
  assert.equal(f.isSignedBy('n1'), false);
  assert.equal(f.entry('n1')!.sig, null, 'a signature nobody checked is not passed on');
});

test('full: a record about a node that is not a member makes room; else overflow', () => {
  const members = new Set(['n1', 'n2']);
  const { f, now } = fleet({ max: 2, members });
  assert.ok(f.accept(item('n1', now)) && f.accept(item('n2', now)));
  assert.equal(f.accept(item('n3', now)), false);
  assert.equal(f.counters.overflow, 1);
  members.delete('n1');
  assert.equal(f.accept(item('n3', now)), true);
  assert.equal(f.get('n1'), undefined);
  assert.equal(f.size, 2);
});

test('records older than maxAge are pruned; a node re-publishes its own every refresh', () => {
  const { clock, f, now } = fleet({ auth });
  f.accept(item('n1', now));
  const queue = new BroadcastQueue({ maxItems: 10, retransmitMult: 4 }, () => 3);
  const local = new LocalState({ selfId: 'n0', clock, fleet: f, queue, auth }, '1.0');
  local.refresh();
  assert.equal(f.get('n0'), undefined, 'nothing published yet: nothing to refresh');
  local.set({ applied: { 'app://fw': 3 }, current: null });
  assert.equal(f.isSignedBy('n0'), true, 'our own record, signed');
  clock.advance(AGE - 1000);
  local.refresh();
  clock.advance(2000);
  f.prune();
  assert.equal(f.get('n1'), undefined, 'n1 stopped re-publishing: forgotten');
  assert.deepEqual(f.get('n0')?.applied, { 'app://fw': 3 }, 'ours was refreshed');
  assert.equal(f.get('n0')?.seq, now + AGE - 1000);
});
