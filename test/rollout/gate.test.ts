/**
 * Gates and the halt (docs/rollouts.md §Gates) at every edge: start times, the gate ratio,
 * grace, quorum, an empty earlier population, the error threshold, the wave chain, and what
 * does not count (unsigned records, untargeted nodes, nodes past the last wave).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateRollout } from '../../agent/lib/rollout/gate.ts';
import { planOf } from '../../agent/lib/rollout/plan.ts';
import { PPM, type RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import type { FleetRecord } from '../../agent/lib/rollout/fleet.ts';
import { idsByWave, rec, view } from './fleet-fixture.ts';

const ISSUED = 1_800_000_000;
const at = (s: number) => (ISSUED + s) * 1000;
const policy: RolloutPolicy = {
  issued: ISSUED,
  target: 'hw!=rpi3',
  waves: [
    { fraction: 50_000, start: 10 },
    { fraction: 500_000, start: 100, gate: 800_000 },
    { fraction: PPM, start: 200, gate: 900_000 },
  ],
  errorThreshold: 100_000,
  grace: 50,
  quorum: 600_000,
};
const plan = planOf('app:/opt/demo', 7, policy);
const [w1, w2, w3] = idsByWave(plan, 20) as [string[], string[], string[]];
const canaries = w1.slice(0, 10);
/** n of the canaries applied, the rest of the 10 downloaded. */
const applied = (n: number): FleetRecord[] =>
  canaries.map((id, i) => rec(plan, id, i < n ? 'applied' : 'downloaded'));
const gate = (records: FleetRecord[], now: number, members = {}) =>
  evaluateRollout(plan, view(records, members), now).waves;

describe('gates: start times', () => {
  it('every wave waits for its start; the first opens exactly at it', () => {
    const before = gate(applied(10), at(10) - 1);
    assert.deepEqual(
      before.map((w) => w.gate),
      ['waiting', 'waiting', 'waiting'],
    );
    assert.match(before[0]!.reason, /starts at 2027-01-15T08:00:10.000Z/);
    const open = gate(applied(10), at(10));
    assert.deepEqual(
      open.map((w) => w.gate),
      ['open', 'waiting', 'waiting'],
    );
    assert.equal(gate(applied(10), at(100) - 1)[1]!.gate, 'waiting');
    assert.equal(gate(applied(10), at(100))[1]!.gate, 'open');
  });
});

describe('gates: the success ratio over every earlier-wave node', () => {
  it('opens at exactly the gate (8 of 10 for 80%), stays closed one below, and says why', () => {
    const w = gate(applied(8), at(100))[1]!;
    assert.equal(w.gate, 'open');
    assert.match(w.reason, /8 of 10 applied \(80%\), gate 80%/);
    const c = gate(applied(7), at(100))[1]!;
    assert.equal(c.gate, 'closed');
    assert.match(
      c.reason,
      /7 of 10 applied \(70%\), gate 80%; 0 not seen, 0 lost count as not applied until 2027-01-15T08:02:30.000Z/,
    );
  });

  it('counts per wave: each node in exactly one column', () => {
    const records = [
      rec(plan, canaries[0]!, 'applied'),
      rec(plan, canaries[1]!, 'failed'),
      rec(plan, canaries[2]!, 'rolled-back'),
      rec(plan, canaries[3]!, 'downloaded'),
      rec(plan, canaries[4]!),
      rec(plan, canaries[5]!, 'downloaded'),
    ];
    const w = gate(records, at(0), {
      [canaries[5]!]: 'dead',
      [canaries[6]!]: 'alive',
      [canaries[7]!]: 'dead',
    })[0]!;
    const { targeted, waiting, downloaded, applied: a, failed, rolledBack, lost, notSeen } = w;
    assert.deepEqual(
      { targeted, waiting, downloaded, applied: a, failed, rolledBack, lost, notSeen },
      { targeted: 8, waiting: 1, downloaded: 1, applied: 1, failed: 1, rolledBack: 1, lost: 1, notSeen: 2 },
    );
  });

  it('before grace an unseen or lost node counts as not applied; from start + grace on it does not (quorum met)', () => {
    // 7 applied, 1 lost (dead, downloaded), 2 never heard from.
    const records = [...applied(7).slice(0, 8)];
    const members = { [canaries[7]!]: 'dead', [canaries[8]!]: 'alive', [canaries[9]!]: 'suspect' } as const;
    const g = (now: number) => gate(records, now, members)[1]!;
    assert.equal(g(at(150) - 1).gate, 'closed');
    assert.match(
      g(at(150) - 1).reason,
      /7 of 10 applied \(70%\).*2 not seen, 1 lost count as not applied until/,
    );
    assert.equal(g(at(150)).gate, 'open');
    assert.match(g(at(150)).reason, /7 of 7 heard from applied \(100%\), gate 80%; 2 not seen, 1 lost/);
  });

  it('after grace: heard from must reach the quorum (6 of 10 for 60%), and the ratio is over those heard from', () => {
    const heard = (n: number, ok: number) => ({
      records: canaries.slice(0, n).map((id, i) => rec(plan, id, i < ok ? 'applied' : 'downloaded')),
      members: Object.fromEntries(canaries.slice(n).map((id) => [id, 'alive'])),
    });
    const q6 = heard(6, 6);
    assert.equal(gate(q6.records, at(150), q6.members)[1]!.gate, 'open');
    const q5 = heard(5, 5);
    const c = gate(q5.records, at(150), q5.members)[1]!;
    assert.equal(c.gate, 'closed');
    assert.match(c.reason, /5 of 10 heard from \(5 not seen, 0 lost\), quorum 60% not met/);
    // 8 heard, 6 applied: 75% of those heard < 80%.
    const r = heard(8, 6);
    const d = gate(r.records, at(150), r.members)[1]!;
    assert.equal(d.gate, 'closed');
    assert.match(d.reason, /6 of 8 heard from applied \(75%\), gate 80%/);
  });

  it('nobody of the earlier waves heard from: closed even after grace (nobody tested it)', () => {
    const members = Object.fromEntries(canaries.map((id) => [id, 'dead']));
    const records = canaries.map((id) => rec(plan, id, 'downloaded'));
    const c = gate(records, at(1000), members)[1]!;
    assert.equal(c.gate, 'closed');
    assert.match(c.reason, /0 of 10 heard from \(0 not seen, 10 lost\), quorum 60% not met/);
  });

  it('no earlier-wave node in the view at all: closed until start + grace, then open (nothing to judge)', () => {
    const only = [rec(plan, w2[0]!)];
    assert.equal(gate(only, at(150) - 1)[1]!.gate, 'closed');
    assert.match(
      gate(only, at(150) - 1)[1]!.reason,
      /no node of the earlier waves is in the view yet; opens at 2027-01-15T08:02:30.000Z/,
    );
    assert.equal(gate(only, at(150))[1]!.gate, 'open');
  });

  it('wave 3 judges waves 1 and 2 together (18 of 20 for 90%), and only once wave 2 is open', () => {
    const both = (n1: number, n2: number) => [
      ...applied(n1),
      ...w2.slice(0, 10).map((id, i) => rec(plan, id, i < n2 ? 'applied' : 'downloaded')),
    ];
    assert.equal(gate(both(10, 8), at(200))[2]!.gate, 'open');
    assert.match(gate(both(10, 8), at(200))[2]!.reason, /18 of 20 applied \(90%\)/);
    assert.equal(gate(both(10, 7), at(200))[2]!.gate, 'closed');
    // Wave 2 closed (7 of 10 canaries) though waves 1+2 would pass a 0% gate: wave 3 stays closed.
    const p0 = planOf('app:/opt/demo', 7, {
      ...policy,
      waves: policy.waves.map((w, i) => (i === 2 ? { ...w, gate: 0 } : w)),
    });
    const w = evaluateRollout(p0, view(both(7, 10)), at(200)).waves[2]!;
    assert.equal(w.gate, 'closed');
    assert.equal(w.reason, 'wave 2 is not open');
  });
});

describe('gates: what does not count', () => {
  it('unsigned records claiming success are ignored: the nodes stay "not seen"', () => {
    const forged = canaries.map((id) => rec(plan, id, 'applied', { signed: false }));
    const w = gate(forged, at(100));
    assert.equal(w[0]!.applied, 0);
    assert.equal(w[0]!.notSeen, 10);
    assert.equal(w[1]!.gate, 'closed');
    // ... also after grace (nobody heard from), and they do not hide a signed failure.
    assert.equal(gate(forged, at(1000))[1]!.gate, 'closed');
    const mixed = [rec(plan, canaries[0]!, 'applied', { signed: false }), rec(plan, canaries[0]!, 'failed')];
    assert.equal(gate(mixed, at(10))[0]!.failed, 1);
    assert.equal(gate(mixed, at(10))[0]!.applied, 0);
  });

  it('only the first signed record per node counts (the view holds the newest)', () => {
    const twice = [rec(plan, canaries[0]!, 'downloaded'), rec(plan, canaries[0]!, 'applied')];
    assert.equal(gate(twice, at(10))[0]!.applied, 0);
    assert.equal(gate(twice, at(10))[0]!.targeted, 1);
  });

  it('signed nodes the selector does not target, and nodes past the last wave, are not counted', () => {
    const p = planOf('app:/opt/demo', 7, { ...policy, waves: policy.waves.slice(0, 2) });
    const [v1, , none] = idsByWave(p, 5) as [string[], string[], string[]];
    const records = [
      ...v1.map((id) => rec(p, id, 'failed', { tags: ['hw=rpi3'] })),
      ...none.map((id) => rec(p, id, 'failed')),
    ];
    const s = evaluateRollout(p, view(records, Object.fromEntries(none.map((id) => [id, 'alive']))), at(100));
    assert.equal(s.halted, false);
    assert.deepEqual(
      s.waves.map((w) => w.targeted),
      [0, 0],
    );
  });
});

describe('halt: the error threshold', () => {
  it("halts when a wave's failed + rolled back exceed the threshold of its nodes heard from (1 of 10 at 10% does not)", () => {
    const records = applied(8);
    records[0] = rec(plan, canaries[0]!, 'failed');
    const ok = evaluateRollout(plan, view(records), at(100));
    assert.equal(ok.halted, false);
    records[1] = rec(plan, canaries[1]!, 'rolled-back');
    const h = evaluateRollout(plan, view(records), at(100));
    assert.equal(h.halted, true);
    assert.match(
      h.haltReason!,
      /wave 1: 2 of 10 nodes heard from failed or rolled back \(20%\), more than the error threshold 10%/,
    );
    assert.deepEqual(
      h.waves.map((w) => w.gate),
      ['closed', 'closed', 'waiting'],
    );
    assert.match(h.waves[1]!.reason, /^halted: wave 1:/);
  });

  it('the denominator is nodes heard from: unseen nodes do not dilute a failure', () => {
    const records = [
      rec(plan, canaries[0]!, 'failed'),
      ...canaries.slice(1, 9).map((id) => rec(plan, id, 'applied')),
    ];
    const members = { [canaries[9]!]: 'alive' } as const;
    // 1 of 9 heard (11.1%) > 10%; over all 10 targeted it would be exactly 10%, not more.
    assert.equal(evaluateRollout(plan, view(records, members), at(10)).halted, true);
  });

  it('a threshold of 0 halts on the first failure; a later wave can halt too', () => {
    const p = planOf('app:/opt/demo', 7, { ...policy, errorThreshold: 0 });
    assert.equal(evaluateRollout(p, view([rec(p, w1[0]!, 'applied')]), at(10)).halted, false);
    assert.equal(evaluateRollout(p, view([rec(p, w3[0]!, 'failed')]), at(10)).halted, true);
    assert.match(evaluateRollout(p, view([rec(p, w3[0]!, 'failed')]), at(10)).haltReason!, /^wave 3:/);
  });
});
