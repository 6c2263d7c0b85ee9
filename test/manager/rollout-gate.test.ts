/**
 * The manager's rollout gate (agent/manager/rollout-gate.ts) over a fake fleet view: natm's
 * `members` rows as natm sends them (agent/lib/gossip/members-view.ts), read by fleetOf.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planOf } from '../../agent/lib/rollout/plan.ts';
import { PPM, type RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import { parseTags } from '../../agent/lib/rollout/tags.ts';
import { fleetOf } from '../../agent/manager/rollout-fleet.ts';
import { RolloutGate } from '../../agent/manager/rollout-gate.ts';
import { idsByWave } from '../rollout/fleet-fixture.ts';

const URI = 'app:/opt/demo';
const ISSUED = 1_800_000_000;
const at = (s: number) => (ISSUED + s) * 1000;
const policy: RolloutPolicy = {
  issued: ISSUED,
  target: 'hw!=rpi3',
  waves: [
    { fraction: 200_000, start: 0 },
    { fraction: PPM, start: 60, gate: 900_000 },
  ],
  errorThreshold: 100_000,
  grace: 300,
  quorum: 500_000,
};
const plan = planOf(URI, 7, policy);
const [w1, w2] = idsByWave(plan, 10) as [string[], string[]];

/** A members row as natm sends it: state record fields, signed by its node unless told (undefined: no field). */
function row(
  id: string,
  o: { applied?: number; state?: string; tags?: string; status?: string; signed?: boolean } = {},
) {
  return {
    id,
    self: false,
    status: o.status ?? 'alive',
    stateSeq: 5,
    tags: o.tags ?? 'hw=rpi4',
    applied: o.applied === undefined ? {} : { [URI]: o.applied },
    current: o.state ? { uri: URI, version: 7, state: o.state, progress: 100 } : null,
    ...('signed' in o ? (o.signed === undefined ? {} : { signed: o.signed }) : { signed: true }),
  };
}

describe('fleetOf: natm members rows → the fleet view a gate counts', () => {
  it('reads each outcome off the record; a row natm marks unsigned is listed but not counted', () => {
    const f = fleetOf(plan, [
      row('a', { applied: 7 }),
      row('b', { applied: 8 }),
      row('c', { applied: 6, state: 'failed' }),
      row('d', { state: 'deploying' }),
      row('e', { state: 'downloading' }),
      row('f', { applied: 7, signed: false }),
      { ...row('g'), stateSeq: null },
      row('h', { applied: 7, signed: undefined }),
    ]);
    const out = Object.fromEntries(f.records.map((r) => [r.node, r.outcomes.get(plan.key) ?? '-']));
    assert.deepEqual(out, {
      ...{ a: 'applied', b: 'applied', c: 'failed', d: 'downloaded', e: '-', f: 'applied', h: 'applied' },
    });
    assert.equal(f.records.find((r) => r.node === 'a')!.signed, true);
    assert.equal(f.records.find((r) => r.node === 'f')!.signed, false);
    assert.equal(f.records.find((r) => r.node === 'h')!.signed, false, 'no signed field: not signed');
    assert.deepEqual(
      [...f.members.keys()],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      'g: a member without a record',
    );
  });

  it('rows that do not fit are left out and counted; bad tags leave the member without a record', () => {
    const f = fleetOf(plan, [
      { id: 'gone1', status: 'gone' },
      { id: 'unheard1', status: 'unheard' },
      null,
      7,
      [],
      { id: 3, status: 'alive' },
      { id: 'x', status: 'zombie' },
      row('t', { tags: 'Bad=1' }),
    ]);
    assert.equal(f.badRows, 5);
    assert.deepEqual([...f.members.keys()], ['t']);
    assert.deepEqual(f.records, []);
  });
});

describe('RolloutGate.decide', () => {
  const gate = (id: string, tags = 'hw=rpi4', now = at(0)) => {
    const g = new RolloutGate({
      tags: parseTags(tags ? tags.split(',') : []),
      overlay: true,
      now: () => now,
    });
    return { g, id };
  };

  it('an update without a policy installs; with one, nothing is decided before natm gave a view', () => {
    const { g } = gate(w1[0]!);
    assert.deepEqual(g.decide(URI, { version: 7 }), { install: true, line: 'no rollout policy' });
    const d = g.decide(URI, { version: 7, rollout: policy });
    assert.equal(d.install, false);
    assert.match(d.line, /waiting for the fleet view from natm/);
  });

  it('a canary node installs at its start; a wave 2 node waits for its gate and says x/y succeeded', () => {
    const canary = gate(w1[0]!).g;
    canary.onMembers({ nodeId: w1[0]!, members: [row(w1[0]!, { state: 'deploying' })] });
    assert.equal(canary.decide(URI, { version: 7, rollout: policy }).install, true);

    const later = gate(w2[0]!, 'hw=rpi4', at(61)).g;
    const half = [
      ...w1.slice(0, 5).map((id) => row(id, { applied: 7 })),
      ...w1.slice(5).map((id) => row(id, { state: 'deploying' })),
    ];
    later.onMembers({ nodeId: w2[0]!, members: [row(w2[0]!, { state: 'deploying' }), ...half] });
    const wait = later.decide(URI, { version: 7, rollout: policy });
    assert.equal(wait.install, false);
    assert.match(
      wait.line,
      /^waiting for wave 2 gate \(5\/10 succeeded\): earlier waves: 5 of 10 applied \(50%\), gate 90%/,
    );

    const ok = [...w1.slice(0, 9).map((id) => row(id, { applied: 7 })), row(w1[9]!, { state: 'deploying' })];
    assert.equal(
      later.onMembers({ nodeId: w2[0]!, members: [row(w2[0]!, { state: 'deploying' }), ...ok] }),
      true,
    );
    const open = later.decide(URI, { version: 7, rollout: policy });
    assert.equal(open.install, true, open.line);
    assert.match(open.line, /^wave 2 open: earlier waves: 9 of 10 applied/);
  });

  it('forged successes (rows natm marks unsigned) do not open a gate', () => {
    const g = gate(w2[0]!, 'hw=rpi4', at(61)).g;
    const forged = w1.map((id) => row(id, { applied: 7, signed: false }));
    g.onMembers({ nodeId: w2[0]!, members: [row(w2[0]!, { state: 'deploying' }), ...forged] });
    const d = g.decide(URI, { version: 7, rollout: policy });
    assert.equal(d.install, false);
    assert.match(d.line, /waiting for wave 2 gate \(0\/10 succeeded\)/);
  });

  it('a node the selector leaves out never installs, whatever the fleet says', () => {
    const g = gate(w1[0]!, 'hw=rpi3', at(100_000)).g;
    g.onMembers({ nodeId: w1[0]!, members: w1.map((id) => row(id, { applied: 7 })) });
    const d = g.decide(URI, { version: 7, rollout: policy });
    assert.equal(d.install, false);
    assert.match(d.line, /^waiting: not targeted: tags "hw=rpi3" do not match "hw!=rpi3"/);
  });

  it('failures past the error threshold halt it: even the canary stops', () => {
    const g = gate(w1[0]!).g;
    const failing = w1.slice(1, 3).map((id) => row(id, { state: 'failed' }));
    g.onMembers({ nodeId: w1[0]!, members: [row(w1[0]!, { state: 'deploying' }), ...failing] });
    const d = g.decide(URI, { version: 7, rollout: policy });
    assert.equal(d.install, false);
    assert.match(d.line, /^waiting: halted: wave 1: 2 of 3 nodes heard from failed/);
  });

  it('onMembers reports a change only when what a gate counts changed (not lastSeen)', () => {
    const { g } = gate(w1[0]!);
    const rows = [row(w1[0]!), row(w1[1]!)];
    assert.equal(g.onMembers({ nodeId: w1[0]!, members: rows }), true);
    assert.equal(g.onMembers({ nodeId: w1[0]!, members: rows.map((r) => ({ ...r, lastSeen: 99 })) }), false);
    assert.equal(g.onMembers({ nodeId: w1[0]!, members: [rows[0], { ...rows[1]!, stateSeq: 6 }] }), true);
    assert.equal(
      g.onMembers({ nodeId: w1[0]!, members: [rows[0], { ...rows[1]!, stateSeq: 6, status: 'dead' }] }),
      true,
    );
  });

  it('without natm the node is its own fleet: wave 1 at its start, a later wave after grace', () => {
    const mk = (now: number) =>
      new RolloutGate({ tags: parseTags(['hw=rpi4']), overlay: false, now: () => now });
    // No members reply ever: the node's id is unknown, so the rank is that of '' (whichever wave it is, it is decided).
    const w = plan.waves.wave('') + 1;
    const early = mk(at(policy.waves[w - 1]!.start) - 1).decide(URI, { version: 7, rollout: policy });
    assert.equal(early.install, false);
    assert.equal(
      mk(at(policy.waves[w - 1]!.start + policy.grace)).decide(URI, { version: 7, rollout: policy }).install,
      true,
    );
  });
});

describe('failed and rolled-back versions in the state record (issue 18 item 3)', () => {
  const outcome = (r: object) => fleetOf(plan, [r]).records[0]!.outcomes.get(plan.key) ?? '-';
  it('rolledBack[uri] = version is rolled back, failed[uri] = version failed, whatever the node works on now', () => {
    assert.equal(
      outcome({ ...row('a', { applied: 6 }), failed: { [URI]: 7 }, rolledBack: { [URI]: 7 } }),
      'rolled-back',
    );
    assert.equal(outcome({ ...row('a', { applied: 6 }), failed: { [URI]: 7 } }), 'failed');
    // A later version applied (or in progress) does not hide that this one failed here.
    assert.equal(outcome({ ...row('a', { applied: 8 }), rolledBack: { [URI]: 7 } }), 'rolled-back');
    assert.equal(
      outcome({ ...row('a', { applied: 8 }), failed: { [URI]: 6 } }),
      'applied',
      'another version',
    );
    assert.equal(
      outcome({ ...row('a'), failed: { [URI]: '7' }, rolledBack: [7] }),
      '-',
      'not a version: ignored',
    );
    assert.equal(
      outcome({ ...row('a'), current: { uri: URI, version: 7, state: 'rolled-back', progress: 100 } }),
      'rolled-back',
    );
  });

  it('a node rolled back halts the rollout only when its own signed record says so', () => {
    const g = new RolloutGate({ tags: parseTags(['hw=rpi4']), overlay: true, now: () => at(0) });
    const back = (id: string, signed: boolean) => ({
      ...row(id, { applied: 6, signed }),
      rolledBack: { [URI]: 7 },
    });
    const forged = w1.slice(1, 4).map((id) => back(id, false));
    g.onMembers({ nodeId: w1[0]!, members: [row(w1[0]!, { state: 'deploying' }), ...forged] });
    assert.equal(g.decide(URI, { version: 7, rollout: policy }).install, true, 'forged failures do not halt');
    const real = w1.slice(1, 4).map((id) => back(id, true));
    assert.equal(
      g.onMembers({ nodeId: w1[0]!, members: [row(w1[0]!, { state: 'deploying' }), ...real] }),
      true,
    );
    const d = g.decide(URI, { version: 7, rollout: policy });
    assert.equal(d.install, false);
    assert.match(d.line, /^waiting: halted: wave 1: 3 of 4 nodes heard from failed or rolled back/);
  });
});
