/** The natm fleet bed's pure parts: its addressing plan, the stats reduction, the spread summary. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { livePaths, viewOf } from '../../bench/fleet/observe.ts';
import { fleetPlan } from '../../bench/fleet/plan.ts';
import { spreadSummary } from '../../bench/fleet/report.ts';
import { natRouterRules } from '../../test/e2e/harness/rules.ts';

const inLab = (ip: string) => /^198\.1[89]\.\d+\.\d+$/.test(ip) || /^10\.[12]\.\d+\.\d+$/.test(ip);

describe('fleet plan', () => {
  const p = fleetPlan({ prefix: 'p2pb-nf-', agents: 200, routers: 20, publicEvery: 10, symmetricEvery: 3 });

  it('puts 200 agents in their own namespaces behind a mix of NATs, addresses inside the lab ranges', () => {
    assert.equal(p.agents.length, 200);
    assert.equal(new Set(p.allNamespaces).size, 2 + 20 + 200);
    const count = (k: string) => p.agents.filter((a) => a.kind === k).length;
    assert.deepEqual([count('public'), count('port-restricted'), count('symmetric')], [20, 126, 54]);
    const ips = [p.rdvIp, ...p.routers.map((r) => r.wanIp), ...p.agents.map((a) => a.ip)];
    assert.equal(new Set(ips).size, ips.length);
    assert.ok(ips.every(inLab), ips.filter((x) => !inLab(x)).join(' '));
    for (const a of p.agents) if (a.router) assert.ok(a.ip.startsWith(`${a.router.lan}.`));
    assert.ok(p.allNamespaces.every((ns) => ns.startsWith('p2pb-nf-') && ns.length <= 15));
  });

  it('refuses a bad prefix, sizes out of range and a LAN too full to address', () => {
    const ok = { prefix: 'p2pb-nf-', agents: 10, routers: 2, publicEvery: 0, symmetricEvery: 0 };
    assert.throws(() => fleetPlan({ ...ok, prefix: 'p2pe-t-' }), RangeError);
    assert.throws(() => fleetPlan({ ...ok, agents: 0 }), RangeError);
    assert.throws(() => fleetPlan({ ...ok, agents: 1001 }), RangeError);
    assert.throws(() => fleetPlan({ ...ok, routers: 0 }), RangeError);
    assert.throws(() => fleetPlan({ ...ok, agents: 500, routers: 2 }), /more than 240 agents/);
  });

  it('symmetric routers masquerade fully-random, the others plain masquerade', () => {
    assert.match(natRouterRules({ symmetric: true }), /masquerade fully-random/);
    assert.doesNotMatch(natRouterRules(), /fully-random/);
  });
});

describe('fleet observations', () => {
  it('counts an agent registered only with an external endpoint and a live rendezvous', () => {
    const peers = [{ path: 'direct' }, { path: 'punched' }, { path: 'relayed' }, { path: null }];
    const v = viewOf({ external: { address: '198.18.0.10', port: 1 }, rendezvous: [{ alive: true }], peers });
    assert.equal(v.registered, true);
    assert.equal(livePaths(v), 3);
    assert.equal(viewOf({ rendezvous: [{ alive: true }] }).registered, false);
    assert.equal(viewOf({ external: {}, rendezvous: [{ alive: false }] }).registered, false);
  });

  it('gives spread quantiles over all n agents, null for a share never reached', () => {
    const reached = new Map([
      ['a', 1000],
      ['b', 1500],
      ['c', 3000],
    ]);
    const s = spreadSummary(reached, 1000, 4, 'a', 0, 0, 5);
    assert.deepEqual([s.s50, s.s90, s.s100, s.reached], [0.5, null, null, 3]);
    const all = spreadSummary(reached, 1000, 3, 'a', 0, 0, 5);
    assert.deepEqual([all.s50, all.s90, all.s100], [0.5, 2, 2]);
  });
});
