/**
 * Figure 2, issue 19 item 3 (bridges serve their children): node 3 is node 4's only way
 * to the fleet. Node 3's manager runs with its clock a day ahead (the test hook
 * P2PU_TEST_CLOCK_OFFSET_MS, agent/lib/common/offset-clock.ts; natm, the daemon and the
 * executor keep the real clock) and untargeted by rollouts (tags ring=bridge, the others
 * ring=edge). Scenarios, on one cluster: an update signed with --expires 12h (node 3
 * refuses it, EXPIRED by its clock, says so, and still fetches and seeds it for node 4,
 * which deploys it); an update whose rollout targets ring=edge (node 3 holds it back,
 * node 4 deploys it through node 3); and with node 3's serve-only bound at 0, an update
 * node 3 refuses: node 4 (no other source) says so in its status, and the fleet view shows
 * node 3 `not_serving` and node 4 `no_source`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLOCK_OFFSET_ENV } from '../../agent/lib/common/offset-clock.ts';
import type { Admin } from './harness/admin.ts';
import type { Cluster } from './harness/cluster.ts';
import { startFig2 } from './harness/fig2-bed.ts';
import { FailureGuard } from './harness/guard.ts';
import { DEMO_URI } from './harness/node-configs.ts';
import { currentDeployed, demoRow, status, waitDeployed } from './harness/node-status.ts';
import type { Topology } from './harness/topology.ts';
import { sleep, waitUntil } from './harness/wait.ts';

const SIZE = 2 * 1024 * 1024;
const DAY_MS = 86_400_000;
const DEPLOY_TIMEOUT = 150_000;
const report = (o: object) => process.stderr.write(`bridge-serve: ${JSON.stringify(o)}\n`);
const edge = { config: { tags: ['ring=edge'] } };

interface ServeRow {
  uri: string;
  version: number;
  state: string;
  code: string;
  for: string[];
}

describe('Figure 2: a bridge serves its child what it will not deploy itself', { timeout: 600_000 }, () => {
  const guard = new FailureGuard();
  let topo: Topology;
  let cluster: Cluster;
  let admin: Admin;

  before(async () => {
    const bed = await startFig2('p2pe-bs-', {
      node: {
        n1: edge,
        n2: edge,
        n4: edge,
        n3: { config: { tags: ['ring=bridge'] }, env: { [CLOCK_OFFSET_ENV]: String(DAY_MS) } },
      },
    });
    ({ topo, cluster, admin } = bed);
    report({ overlayFormedMs: bed.overlayFormedMs });
  });

  after(async () => {
    await topo?.destroy({ keepFiles: guard.failed });
  });

  it(
    'clock a day ahead: node 3 refuses v1 (expired by its clock) and says why; node 4 gets it through node 3',
    guard.wrap(async () => {
      const rel = await admin.release(1, SIZE, { expires: '12h' });
      const lan4 = await topo.lanPortBytes('n4');
      const t0 = Date.now();
      void cluster.publish('n1', rel.torrent, rel.payload, rel.name);
      const at = await waitDeployed(cluster, ['n1', 'n2', 'n4'], 1, DEPLOY_TIMEOUT);
      const viaLan = (await topo.lanPortBytes('n4')).toHost - lan4.toHost;
      report({ scenario: 'clock-ahead', msToDeploy: at, totalMs: Date.now() - t0, node4LanBytes: viaLan });
      const s3 = await cluster.cliJson<{ refusals: Record<string, unknown>[]; serveOnly: ServeRow[] }>('n3', [
        ...['status', '--json', '--config', cluster.layout.n3.managerConfig],
      ]);
      const r = s3.refusals.find((x) => x['code'] === 'EXPIRED');
      assert.ok(r, `node 3 recorded an EXPIRED refusal: ${JSON.stringify(s3.refusals)}`);
      assert.equal(r['uri'], DEMO_URI, 'the refusal names the URI');
      assert.equal(r['version'], 1, 'and the version');
      assert.match(String(r['reason']), /^expired at .*, local clock /, 'and the local time it used');
      const served = s3.serveOnly.find((e) => e.version === 1);
      assert.equal(served?.state, 'serving', `node 3 serves v1: ${JSON.stringify(s3.serveOnly)}`);
      assert.ok(served.for.includes(cluster.ids.n4), 'for node 4');
      const text = await cluster.cli('n3', ['status', '--config', cluster.layout.n3.managerConfig]);
      assert.match(text, /EXPIRED app:\/opt\/demo 1: expired at .*local clock/, 'text status says why');
      assert.match(text, /app:\/opt\/demo v1 serving for .*not deployed here: EXPIRED/, 'and that it serves');
      assert.deepEqual(cluster.deployed('n3'), [], 'node 3 deployed nothing');
      assert.equal(demoRow(await status(cluster, 'n3')), undefined, 'node 3 holds no accepted update');
      assert.ok(viaLan >= SIZE, `node 4 fetched the file over the LAN (${viaLan} bytes)`);
      const fw = await topo.counters('fw');
      assert.equal(fw['wan_in_isolated']!.bytes, 0, 'nothing from the public side reached node 4');
    }),
  );

  it(
    'rollout: v2 targets ring=edge; node 3 (ring=bridge) holds it back, node 4 deploys it through node 3',
    guard.wrap(async () => {
      const rel = await admin.release(2, SIZE, { create: ['--target', 'ring=edge'] });
      const t0 = Date.now();
      void cluster.publish('n1', rel.torrent, rel.payload, rel.name);
      const at = await waitDeployed(cluster, ['n1', 'n2', 'n4'], 2, DEPLOY_TIMEOUT);
      report({ scenario: 'rollout-untargeted-bridge', msToDeploy: at, totalMs: Date.now() - t0 });
      await sleep(2000);
      const row = demoRow(await status(cluster, 'n3'));
      assert.equal(row?.version, 2, 'node 3 accepted v2');
      assert.equal(row?.applied, null, 'and did not deploy it');
      assert.match(String((row as { gate?: unknown } | undefined)?.gate), /not targeted/, 'status says why');
      assert.deepEqual(cluster.deployed('n3'), [], 'node 3 deployed nothing');
    }),
  );

  it(
    'the only source refuses and may serve nothing (serveOnly.maxTorrents 0): node 4 says so, the fleet view too',
    guard.wrap(async () => {
      await cluster.restartManager('n3', { tags: ['ring=bridge'], serveOnly: { maxTorrents: 0 } });
      const rel = await admin.release(3, SIZE, { expires: '12h' });
      const t0 = Date.now();
      void cluster.publish('n1', rel.torrent, rel.payload, rel.name);
      await waitDeployed(cluster, ['n1', 'n2'], 3, DEPLOY_TIMEOUT);
      const cfg4 = cluster.layout.n4.managerConfig;
      let seen = '';
      const said = await waitUntil(
        () => `node 4 says its only source refused v3; last seen: ${seen}`,
        async () => {
          const text = await cluster.cli('n4', ['status', '--config', cfg4]);
          if (/refused an update and does not serve it/.test(text)) return true;
          const rows = await cluster.members('n4');
          const n3 = rows.find((r) => r.id === cluster.ids.n3);
          seen = JSON.stringify({ text, n3 });
          return false;
        },
        150_000,
        2000,
      ).then(() => Date.now() - t0);
      const text4 = await cluster.cli('n4', ['status', '--config', cfg4]);
      assert.match(text4, new RegExp(`source: neighbour ${cluster.ids.n3} refused`), text4);
      assert.match(text4, /app:\/opt\/demo v3 may have no other source/);
      await waitUntil(
        'the fleet view (node 1) shows node 3 not_serving and node 4 no_source',
        async () => {
          const v = await cluster.members('n1');
          const c = (n: 'n3' | 'n4') => v.find((r) => r.id === cluster.ids[n])?.conditions ?? [];
          return c('n3').includes('not_serving') && c('n4').includes('no_source');
        },
        90_000,
        2000,
      );
      const m = await cluster.members('n1');
      const conds = (n: 'n3' | 'n4') => m.find((r) => r.id === cluster.ids[n])?.conditions ?? [];
      // Node 4 may or may not have heard node 3's public address (node 3 passes its rendezvous
      // table on to its children): its bridge is its neighbour either way (serve-only.ts).
      const n3at4 = (await cluster.members('n4')).find((r) => r.id === cluster.ids.n3) as
        { external?: unknown } | undefined;
      report({
        ...{ scenario: 'only-source-refuses', msToSaySo: said, n3: conds('n3'), n4: conds('n4') },
        n3ExternalAtN4: n3at4?.external ?? null,
      });
      const s3 = await cluster.cliJson<{ serveOnly: ServeRow[] }>('n3', [
        ...['status', '--json', '--config', cluster.layout.n3.managerConfig],
      ]);
      const v3 = s3.serveOnly.find((e) => e.version === 3);
      assert.equal(v3?.state, 'blocked', `node 3 does not serve v3: ${JSON.stringify(s3.serveOnly)}`);
      assert.equal(currentDeployed(cluster, 'n4'), 2, 'node 4 stays on v2');
    }),
  );
});
