/** The propagation report (pure): which times count as "done", the ratios, and the manager's config. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniformBounds } from '../../bench/lib/kumar-ross.ts';
import { hostDirs, managerConfig } from '../../bench/propagation/manager-swarm.ts';
import {
  buildReport,
  p2pDone,
  reportChart,
  type P2pOutcome,
  type RunParams,
} from '../../bench/propagation/report.ts';
import type { Milestones } from '../../bench/propagation/timeline.ts';

const MiB = 2 ** 20;
const ms = (doneS: number | null, firstByteS = 12): Milestones => ({
  firstByteS,
  p10S: null,
  p90S: null,
  p99S: null,
  doneS,
  steadyBps: null,
  lastPieceStallS: null,
});

const params: RunParams = { nodes: 2, nattedNodes: 1, fileBytes: 32 * MiB, rateMbit: 20, mode: 'manager' };
const b = uniformBounds(32 * MiB, 2, 20e6);

function outcome(over: Partial<P2pOutcome> = {}): P2pOutcome {
  return {
    perNode: new Map([
      ['n01', ms(20)],
      ['n02', ms(30)],
    ]),
    originLinkUpBytes: 48 * MiB,
    originPayloadUpBytes: 40 * MiB,
    originSeedingS: 1,
    originFirstUploadS: 12,
    links: new Map(),
    corruptBytes: 0,
    ...over,
  };
}

describe('propagation report', () => {
  it('with the manager, done means deployed; ratios use the last node', () => {
    const p = outcome({
      deployedS: new Map([
        ['n01', 21],
        ['n02', 32],
      ]),
    });
    assert.deepEqual(
      [...p2pDone(p)],
      [
        ['n01', 21],
        ['n02', 32],
      ],
    );
    const central = {
      perNode: new Map([
        ['n01', { seconds: 20, firstByteS: 0 }],
        ['n02', { seconds: 64, firstByteS: 0 }],
      ]),
      originLinkUpBytes: 64 * MiB,
    };
    const r = buildReport(params, b, p, central);
    assert.equal(r.T_p2p, 32);
    assert.equal(r.T_central, 64);
    assert.equal(r['T_central/T_p2p'], 2);
    assert.equal(r['origin_bytes/F'], 1.5);
    assert.equal(r['T_p2p/T_min'], Math.round((32 / b.tMin) * 100) / 100);
    assert.equal(r.p2p.downloadedMedianS, 25);
  });

  it('a node that never finished leaves T_p2p null instead of a flattering number', () => {
    const p = outcome({
      perNode: new Map([
        ['n01', ms(20)],
        ['n02', ms(null, 0)],
      ]),
    });
    const r = buildReport({ ...params, mode: 'bittorrent-only' }, b, p, null);
    assert.equal(r.T_p2p, null);
    assert.equal(r['T_p2p/T_min'], null);
    assert.equal(r.p2p.completed, 1);
    assert.equal(r.central, null);
    assert.match(reportChart(params, b, p, null), /T_min 13\.4 s/);
  });

  it('manager config: no natm, every other host as a static peer, documented defaults otherwise', () => {
    const d = hostDirs('/tmp/p2pb-p', 'n01');
    const c = managerConfig(d, '/tmp/p2pb-p/admin.pub', ['198.18.0.2:51413']) as Record<string, unknown>;
    assert.equal(c['natmSocket'], null);
    assert.deepEqual((c['tracker'] as { peers: string[] }).peers, ['198.18.0.2:51413']);
    assert.equal(c['inboxDir'], '/tmp/p2pb-p/n01/inbox');
    assert.equal('deploy' in c, false, 'deploy timing left at its defaults');
    assert.equal((c['transmission'] as Record<string, unknown>)['pollMs'], undefined);
  });
});
