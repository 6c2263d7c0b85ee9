/**
 * Figure 2 bed, health checks and automatic rollback (issue 18 item 3), for real: four
 * enrolled nodes (transmission-daemon, natm, manager, deploy executor each) in network
 * namespaces; the demo deployer has a health command (fixtures/health-demo.sh).
 *   1. v1, no policy: every node deploys it and its health check passes.
 *   2. vC with a rollout policy whose canary wave is node 2 alone (the admin picks C so
 *      that node 2 ranks first) and a 10 % error threshold; on node 2 version C "does not
 *      start": its health check fails, node 2 rolls back to v1 by itself and reports it in
 *      its signed state record. The error threshold halts the rollout: nodes 1, 3, 4 hold C
 *      downloaded and never install it. Node 1's fleet view shows node 2 failed + rolled back,
 *      and `rollout status` on node 1 shows the halted rollout wave by wave.
 *   3. vC+1, no policy: every node deploys it (node 2 too: the floor stays at C, higher proceeds).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rankOf } from '../../agent/lib/rollout/rank.ts';
import type { RolloutReport } from '../../agent/lib/rollout/report.ts';
import { Admin, type Release } from './harness/admin.ts';
import type { Cluster } from './harness/cluster.ts';
import { startFig2 } from './harness/fig2-bed.ts';
import { FailureGuard } from './harness/guard.ts';
import { DEMO_URI } from './harness/node-configs.ts';
import { currentDeployed, demoRow, status, waitDeployed } from './harness/node-status.ts';
import { NODE_NAMES, type NodeName } from './harness/plan.ts';
import { REPO_ROOT } from './harness/paths.ts';
import type { Topology } from './harness/topology.ts';
import { sleep, waitUntil } from './harness/wait.ts';

const SIZE = 256 * 1024;
const DEPLOY_TIMEOUT = 110_000;
const OTHERS = ['n1', 'n3', 'n4'] as const;
const report = (o: object) => process.stderr.write(`rollback: ${JSON.stringify(o)}\n`);

describe(
  'Figure 2: a failing health check rolls node 2 back and halts the rollout',
  { timeout: 600_000 },
  () => {
    const guard = new FailureGuard();
    let topo: Topology;
    let cluster: Cluster;
    let admin: Admin;
    const rel: Record<number, Release> = {};
    let canaryVersion = 0;

    const deployedVersions = (n: NodeName) => cluster.deployed(n).map((l) => l.version);
    const healthLog = (n: NodeName) =>
      readFileSync(join(cluster.layout[n].deployDir, 'health.log'), 'utf8').split('\n').filter(Boolean);

    /** The first version ≥ from for which node 2 ranks first by a margin, and a wave 1 fraction between. */
    const canaryFor = (from: number): { version: number; fraction: string } => {
      for (let v = from; v < from + 10_000; v++) {
        const ranks = NODE_NAMES.map((n) => rankOf(cluster.ids[n], DEMO_URI, v));
        const r2 = ranks[NODE_NAMES.indexOf('n2')]!;
        const next = Math.min(...ranks.filter((r) => r !== r2));
        const f = Math.floor(((r2 + next) / 2) * 1e6) / 1e6;
        if (r2 < f && f < next && next - r2 > 1e-3) return { version: v, fraction: f.toFixed(6) };
      }
      throw new Error('no version with node 2 first');
    };

    before(async () => {
      const bed = await startFig2('p2pe-h-', {
        healthScript: join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'health-demo.sh'),
      });
      ({ topo, cluster, admin } = bed);
      report({ overlayFormedMs: bed.overlayFormedMs });
    });

    after(async () => {
      await topo?.destroy({ keepFiles: guard.failed });
    });

    it(
      'v1 without a policy: deployed everywhere, each health check passed once',
      guard.wrap(async () => {
        rel[1] = await admin.release(1, SIZE);
        cluster.publish('n1', rel[1].torrent, rel[1].payload, rel[1].name);
        await waitDeployed(cluster, NODE_NAMES, 1, DEPLOY_TIMEOUT);
        await waitUntil(
          'v1 applied (healthy) everywhere',
          async () => {
            for (const n of NODE_NAMES)
              if (demoRow(await status(cluster, n))?.state !== 'applied') return false;
            return true;
          },
          30_000,
        );
        for (const n of NODE_NAMES) assert.deepEqual(healthLog(n), ['1 1'], `${n}: health checked once`);
      }),
    );

    it(
      "canary node 2's health check fails: it rolls back to v1 and reports it; the error threshold halts the others",
      guard.wrap(async () => {
        const { version: c, fraction } = canaryFor(2);
        canaryVersion = c;
        writeFileSync(join(cluster.layout.n2.deployDir, `unhealthy-${c}`), '');
        rel[c] = await admin.release(c, SIZE, {
          create: ['--waves', `${fraction}@0,1@0:1`, '--error-threshold', '10%'],
        });
        const t0 = Date.now();
        cluster.publish('n1', rel[c].torrent, rel[c].payload, rel[c].name);
        await waitUntil(
          `node 2 to roll back v${c}`,
          async () => demoRow(await status(cluster, 'n2'))?.state === 'rolled-back',
          DEPLOY_TIMEOUT,
        );
        const rolledBackMs = Date.now() - t0;
        assert.deepEqual(deployedVersions('n2'), [1, c, 1], 'node 2: v1, vC, then v1 again (the rollback)');
        const log2 = cluster.deployed('n2');
        assert.equal(log2[2]!.sha256, rel[1]!.sha256, "node 2's rollback deployed v1's bytes");
        assert.equal(currentDeployed(cluster, 'n2'), 1, 'node 2 runs v1 again');
        assert.deepEqual(
          healthLog('n2'),
          ['1 1', `${c} 1`, `${c} 1`, '1 1'],
          'two attempts (retries: 1), then the restored v1 checked after the rollback',
        );
        const row2 = demoRow(await status(cluster, 'n2'))!;
        assert.deepEqual(
          [row2.applied, row2.highest, row2.version, (row2 as unknown as Record<string, unknown>)['failed']],
          [1, c, c, c],
        );
        assert.equal((row2 as unknown as Record<string, unknown>)['rolledBack'], c);
        assert.match(row2.lastError ?? '', /^HEALTH_FAILED: health check DEPLOY_EXIT/);

        // Node 1's fleet view: node 2's own signed record says failed and rolled back.
        let seenMs = 0;
        await waitUntil(
          "node 1's members show node 2 failed and rolled back",
          async () => {
            const m2 = (await cluster.members('n1')).find((m) => m.id === cluster.ids.n2);
            seenMs = Date.now() - t0;
            return m2?.rolledBack?.[DEMO_URI] === c && m2.failed?.[DEMO_URI] === c && m2.signed === true;
          },
          30_000,
        );
        const text = await cluster.cli('n1', ['members', '--socket', cluster.layout.n1.statsSocket]);
        assert.match(text, new RegExp(`${DEMO_URI}@${c} rolled back`), 'members shows it to the admin');

        // The others: downloaded, held at the halted rollout, never installed.
        const lines: Record<string, string> = {};
        await waitUntil(
          () => `nodes 1, 3, 4 halted: ${JSON.stringify(lines)}`,
          async () => {
            for (const n of OTHERS) lines[n] = demoRow(await status(cluster, n))?.gate ?? '';
            return OTHERS.every((n) =>
              /halted: wave 1: 1 of 1 nodes heard from failed or rolled back/.test(lines[n] ?? ''),
            );
          },
          60_000,
        );
        await sleep(10_000); // nor later
        for (const n of OTHERS) {
          assert.deepEqual(deployedVersions(n), [1], `${n}: v${c} never installed`);
          const row = demoRow(await status(cluster, n))!;
          assert.deepEqual([row.state, row.version, row.applied], ['deploying', c, 1], `${n}: held`);
        }
        // `rollout status` on node 1 tells the admin all of it.
        const cfg = ['--config', cluster.layout.n1.managerConfig];
        const st = await cluster.cliJson<RolloutReport>('n1', [
          ...['rollout', 'status', DEMO_URI, String(c), '--json'],
          ...cfg,
        ]);
        assert.equal(st.halted, true, 'rollout status: halted');
        assert.deepEqual(
          st.waves.map((w) => [w.wave, w.targeted, w.applied, w.rolledBack, w.gate]),
          [
            [1, 1, 0, 1, 'closed'],
            [2, 3, 0, 0, 'closed'],
          ],
          'rollout status: node 2 rolled back in wave 1; nobody applied vC',
        );
        assert.equal(st.waves[1]!.why, 'halted');
        const stText = await cluster.cli('n1', ['rollout', 'status', DEMO_URI, String(c), ...cfg]);
        assert.match(stText, /halted/);
        report({ scenario: 'rollback', canaryVersion: c, rolledBackMs, fleetViewMs: seenMs, gate: lines });
      }),
    );

    it(
      'a higher version without a policy proceeds everywhere, node 2 too; v' +
        'C is never installed on the others',
      guard.wrap(async () => {
        const v = canaryVersion + 1;
        rel[v] = await admin.release(v, SIZE);
        cluster.publish('n1', rel[v].torrent, rel[v].payload, rel[v].name);
        await waitDeployed(cluster, NODE_NAMES, v, DEPLOY_TIMEOUT);
        assert.deepEqual(deployedVersions('n2'), [1, canaryVersion, 1, v]);
        for (const n of OTHERS) assert.deepEqual(deployedVersions(n), [1, v]);
        const row2 = demoRow(await status(cluster, 'n2'))!;
        assert.equal(row2.applied, v);
      }),
    );
  },
);
