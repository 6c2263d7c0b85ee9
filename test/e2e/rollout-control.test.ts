/**
 * The admin's control of a staged rollout on the real Figure 2 bed (rendezvous, enrollment
 * server, four enrolled nodes with transmission-daemon, natm, manager and deploy executor in
 * network namespaces; docs/rollouts.md §Control messages). Each release has two waves: the
 * two nodes of lowest rank (the cut is computed from the nodes' certificate ids) in wave 1 at
 * once, the other two in wave 2 from +WAVE2_S (90 s).
 *   v1: wave 1 deploys; `rollout pause` at node 1 reaches every node; past wave 2's start
 *       nothing more deploys and `rollout status` on node 1 says so (gate closed: paused);
 *       `rollout resume` at node 1: wave 2 deploys.
 *   v2: wave 1 deploys; `rollout abort` at node 1; past wave 2's start wave 2 still holds v1,
 *       a later resume is refused (CONTROL_FINAL) and `rollout status` shows the abort.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { rankOf } from '../../agent/lib/rollout/rank.ts';
import { Admin, type Release } from './harness/admin.ts';
import type { Cluster } from './harness/cluster.ts';
import { startFig2 } from './harness/fig2-bed.ts';
import { FailureGuard } from './harness/guard.ts';
import { DEMO_URI } from './harness/node-configs.ts';
import { currentDeployed, storeCurrent, waitDeployed } from './harness/node-status.ts';
import { NODE_NAMES, type NodeName } from './harness/plan.ts';
import { BIN } from './harness/paths.ts';
import type { Topology } from './harness/topology.ts';
import { sleep, waitUntil } from './harness/wait.ts';

const exec = promisify(execFile);
const SIZE = 256 * 1024;
/**
 * Wave 2 starts this long after the release is issued. It must leave room for wave 1 to
 * deploy (asserted below: within WAVE2_S - 30 s of the release's creation) and for the
 * pause or abort to reach every node (within REACH_MS) before wave 2 starts. Measured over
 * six runs (two under the full suite): wave 1 deployed within 4–17 s of publishing, pause
 * and abort reached every node within 0–2.3 s; 90 s leaves 3× that as slack.
 */
const WAVE2_S = 90;
const DEPLOY_TIMEOUT = 110_000;
/** From the command's start (CLI start-up, signing, inbox, --wait included), a control message reaches all four nodes within this. */
const REACH_MS = 30_000;
const report = (o: object) => process.stderr.write(`rollout-control: ${JSON.stringify(o)}\n`);

interface Report {
  control: { state: string; seq: number };
  waves: {
    wave: number;
    targeted: number;
    downloaded: number;
    applied: number;
    gate: string;
    why: string | null;
  }[];
}

describe('Figure 2: pause, resume and abort of a two-wave rollout', { timeout: 900_000 }, () => {
  const guard = new FailureGuard();
  let topo: Topology;
  let cluster: Cluster;
  let admin: Admin;
  const waves: Record<number, { w1: NodeName[]; w2: NodeName[] }> = {};

  /** A release whose wave 1 is the two nodes of lowest rank for `version`. */
  async function release(version: number): Promise<Release> {
    const ranked = [...NODE_NAMES].sort(
      (a, b) => rankOf(cluster.ids[a], DEMO_URI, version) - rankOf(cluster.ids[b], DEMO_URI, version),
    );
    const r = ranked.map((n) => rankOf(cluster.ids[n], DEMO_URI, version));
    const cut = Math.floor(((r[1]! + r[2]!) / 2) * 1e6);
    assert.ok(r[1]! < cut / 1e6 && cut / 1e6 <= r[2]!, `ranks ${r.join(', ')} too close to cut`);
    waves[version] = { w1: ranked.slice(0, 2), w2: ranked.slice(2) };
    const w = `0.${String(cut).padStart(6, '0')}@0,1@${WAVE2_S}s:0.5`;
    return admin.release(version, SIZE, { create: ['--waves', w, '--grace', '10m'] });
  }

  /** `p2p-update rollout ACTION` on the host with node 1's config (it drops into node 1's inbox). */
  const control = (action: string, version: number, more: string[] = []) =>
    exec(
      BIN,
      ['rollout', action, DEMO_URI, String(version), '--key', cluster.adminKey, ...more, '--wait', '20'],
      {
        timeout: 40_000,
      },
    ).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? -1,
        out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
      }),
    );
  const n1cfg = () => ['--config', cluster.layout.n1.managerConfig];
  const heldSeq = (n: NodeName, version: number): number => {
    try {
      const d = JSON.parse(
        readFileSync(join(cluster.layout[n].stateDir, 'rollout-control.json'), 'utf8'),
      ) as {
        controls: { uri: string; version: number; seq: number }[];
      };
      return d.controls.find((c) => c.uri === DEMO_URI && c.version === version)?.seq ?? 0;
    } catch {
      return 0;
    }
  };
  /** ms from `t0` (the command's start) until every node holds seq ≥ `seq` for the demo URI at `version`. */
  const reach = async (version: number, seq: number, t0: number) => {
    await waitUntil(
      () => `seq ${seq} on every node: ${NODE_NAMES.map((n) => `${n}=${heldSeq(n, version)}`).join(' ')}`,
      () => NODE_NAMES.every((n) => heldSeq(n, version) >= seq),
      REACH_MS,
      100,
    );
    return Date.now() - t0;
  };
  const statusOn1 = async (version: number) =>
    cluster.cliJson<Report>('n1', ['rollout', 'status', DEMO_URI, String(version), '--json', ...n1cfg()]);

  before(async () => {
    const bed = await startFig2('p2pe-r-');
    ({ topo, cluster, admin } = bed);
    report({ overlayFormedMs: bed.overlayFormedMs });
  });

  after(async () => {
    await topo?.destroy({ keepFiles: guard.failed });
  });

  it(
    'v1: pause at node 1 holds wave 2 past its start; status on node 1 shows it; resume lets wave 2 deploy',
    guard.wrap(async () => {
      const tc = Date.now();
      const r = await release(1);
      const { w1, w2 } = waves[1]!;
      const t0 = Date.now();
      cluster.publish('n1', r.torrent, r.payload, r.name);
      const at1 = await waitDeployed(cluster, w1, 1, DEPLOY_TIMEOUT);
      assert.ok(Date.now() - tc < (WAVE2_S - 30) * 1000, 'wave 1 deployed well before wave 2 starts');
      const tp = Date.now();
      const p = await control('pause', 1, n1cfg());
      assert.equal(p.code, 0, p.out);
      assert.match(p.out, /taken: pause of app:\/opt\/demo version 1 \(seq \d+\)/);
      const pauseReachMs = await reach(1, Number(/seq (\d+)/.exec(p.out)![1]), tp);
      assert.ok(Date.now() - tc < WAVE2_S * 1000, 'the pause reached every node before wave 2 starts');
      await sleep(Math.max(0, t0 + (WAVE2_S + 20) * 1000 - Date.now()));
      for (const n of w2) {
        assert.equal(currentDeployed(cluster, n), null, `${n} (wave 2) did not deploy while paused`);
        assert.equal(storeCurrent(cluster, n)?.state, 'deploying', `${n}: downloaded, waiting`);
      }
      const s = await statusOn1(1);
      assert.equal(s.control.state, 'paused');
      assert.deepEqual(
        s.waves.map((w) => [w.wave, w.targeted, w.applied, w.downloaded, w.gate, w.why]),
        [
          [1, 2, 2, 0, 'closed', 'paused'],
          [2, 2, 0, 2, 'closed', 'paused'],
        ],
      );
      const text = await cluster.cli('n1', ['rollout', 'status', DEMO_URI, ...n1cfg()]);
      assert.match(text, /wave 2 \(from .*\): closed \(paused\): paused by the admin/);
      const rs = await control('resume', 1, n1cfg());
      assert.equal(rs.code, 0, rs.out);
      const t1 = Date.now();
      const at2 = await waitDeployed(cluster, w2, 1, DEPLOY_TIMEOUT);
      const after = await statusOn1(1);
      assert.deepEqual(
        after.waves.map((w) => [w.applied, w.gate]),
        [
          [2, 'open'],
          [2, 'open'],
        ],
      );
      report({
        version: 1,
        wave1: w1,
        wave2: w2,
        wave1DeployMs: at1,
        pauseReachMs,
        resumeToDeployMs: Date.now() - t1,
        at2,
      });
    }),
  );

  it(
    'v2: abort at node 1 stops wave 2 for good; a later resume is refused; status shows the abort',
    guard.wrap(async () => {
      const tc = Date.now();
      const r = await release(2);
      const { w1, w2 } = waves[2]!;
      const t0 = Date.now();
      cluster.publish('n1', r.torrent, r.payload, r.name);
      await waitDeployed(cluster, w1, 2, DEPLOY_TIMEOUT);
      assert.ok(Date.now() - tc < (WAVE2_S - 30) * 1000, 'wave 1 deployed well before wave 2 starts');
      const ta = Date.now();
      const a = await control('abort', 2, n1cfg());
      assert.equal(a.code, 0, a.out);
      const abortReachMs = await reach(2, Number(/seq (\d+)/.exec(a.out)![1]), ta);
      assert.ok(Date.now() - tc < WAVE2_S * 1000, 'the abort reached every node before wave 2 starts');
      const late = await control('resume', 2, n1cfg());
      assert.equal(late.code, 1);
      assert.match(
        late.out,
        /refused CONTROL_FINAL: resume seq \d+ for app:\/opt\/demo@2: aborted at seq \d+/,
      );
      await sleep(Math.max(0, t0 + (WAVE2_S + 20) * 1000 - Date.now()));
      for (const n of w2)
        assert.notEqual(currentDeployed(cluster, n), 2, `${n} (wave 2) deployed v2 after the abort`);
      const s = await statusOn1(2);
      assert.equal(s.control.state, 'aborted');
      assert.deepEqual(
        s.waves.map((w) => [w.applied, w.gate, w.why]),
        [
          [2, 'closed', 'aborted'],
          [0, 'closed', 'aborted'],
        ],
      );
      report({ version: 2, wave1: w1, wave2: w2, abortReachMs });
    }),
  );
});
