/**
 * The paper's Figure 2 with all four nodes as booted Debian 13 containers (issue 14 item
 * 3): the topology of test/e2e/harness/topology.ts (public side 198.18.0.0/24, node 2
 * behind a NAT, nodes 3 and 4 behind a firewall that forwards one UDP port to node 3 and
 * nothing at all to or from node 4), each node a container with real systemd booted into
 * its namespace (--network-namespace-path) on its own overlay over the one cached base
 * root. On each: the .deb installed with apt, a root of trust naming the admin key, the
 * node enrolled (node 4 at the admin's desk) and natm.json's hand edits for its place in
 * the figure (harness/fig2-nodes.ts); deploy.json and manager.json as shipped. The
 * rendezvous and the enrollment server are harness processes on the public side. An
 * update published at node 1 reaches every node, and on each the shipped example deployer
 * writes its root-owned marker through the executor (as root) while the manager and natm
 * stay unprivileged; node 4's bytes came over its LAN from node 3. Prints per-node times
 * from publish to deployed.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NODE_NAMES, type NodeName } from '../e2e/harness/plan.ts';
import { readSocketJson } from '../e2e/harness/socket-json.ts';
import { Topology } from '../e2e/harness/topology.ts';
import { waitUntil } from '../e2e/harness/wait.ts';
import { buildDeb } from '../pkg/trixie-root.ts';
import { Bed } from './harness/bed.ts';
import type { Container } from './harness/container.ts';
import { editFig2Natm, provisionAtDesk, startPublicSide, type PublicSide } from './harness/fig2-nodes.ts';
import * as node from './harness/p2pu-node.ts';
import { adminKey, fleetRoot, randomPayload, sign, type AdminKey } from './harness/releases.ts';
import { serviceProcess } from './harness/service-stats.ts';
import { serviceLines, waitForLine } from './harness/systemd.ts';

const { UNITS, USERS } = node;
const URI = 'app:/opt/demo';
const SIZE = 1024 * 1024;
const report = (o: object) => process.stderr.write(`booted-fig2: ${JSON.stringify(o)}\n`);

interface Stats {
  readonly id: string;
  readonly children: string[];
  readonly peers: Array<{ id: string; path: string }>;
  readonly members?: Array<{ id: string; status: string }>;
}

describe('Figure 2 with four booted Debian 13 containers', { timeout: 900_000 }, () => {
  let topo: Topology | undefined;
  let bed: Bed | undefined;
  let built: { deb: string; dir: string } | undefined;
  let pub: PublicSide;
  let admin: AdminKey;
  const ids = {} as Record<NodeName, string>;
  let failed = false;
  const c = (n: NodeName) => bed!.containers.get(n) as Container;
  const t = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      // One cluster, steps in order: after a failed step the next ones fail at once.
      if (failed) assert.fail('an earlier step failed');
      try {
        await fn();
      } catch (e) {
        failed = true;
        throw e;
      }
    });
  /** `p2p-update natm-stats` on node n, as an operator reads it. */
  const natmStats = async (n: NodeName) =>
    JSON.parse(
      await c(n).must(['p2p-update', 'natm-stats', '--config', '/etc/p2p-update/natm.json']),
    ) as Stats;
  /** The same, read from the host through the container's /run: cheap enough to poll. */
  const polledStats = (n: NodeName) =>
    readSocketJson<Stats>(`/proc/${c(n).initPid}/root/run/p2p-update-natm/natm-stats.sock`);

  before(async () => {
    const t0 = Date.now();
    failed = true; // until set up: a failed set-up keeps its logs too
    built = buildDeb();
    topo = await Topology.create({ prefix: 'p2pe-g-' });
    bed = await Bed.create({ prefix: 'p2ps-g-' });
    pub = await startPublicSide(topo, bed.procs, join(bed.runDir, 'public'));
    admin = await adminKey(join(bed.runDir, 'admin'));
    for (const n of NODE_NAMES) await bed.boot(n, { netns: topo.node(n).ns });
    failed = false;
    report({ setupMs: Date.now() - t0, bootMs: NODE_NAMES.map((n) => c(n).bootMs) });
  });
  after(async () => {
    await bed?.destroy({ keepLogs: failed });
    await topo?.destroy({ keepFiles: failed });
    if (built) rmSync(built.dir, { recursive: true, force: true });
  });

  t('each node: the .deb installed with apt, enrolled, natm and the manager under systemd', async () => {
    const t0 = Date.now();
    const installMs = await Promise.all(NODE_NAMES.map((n) => node.installDeb(c(n), built!.deb)));
    report({ installMs, allInstalledMs: Date.now() - t0 });
    const root = await fleetRoot(admin, join(bed!.runDir, 'admin'));
    for (const n of NODE_NAMES) {
      await node.addRoot(c(n), root);
      ids[n] =
        n === 'n4'
          ? await provisionAtDesk(topo!, c(n), pub, join(bed!.runDir, 'desk-n4'))
          : await node.enroll(c(n), pub.enrollUrl, pub.token(n), pub.caFingerprint);
      await editFig2Natm(topo!, c(n), n, ids[n], pub);
      await c(n).must(['systemctl', 'start', UNITS.natm, UNITS.manager]);
    }
    for (const n of NODE_NAMES) await waitForLine(c(n), UNITS.manager, /"msg":"natm connected"/);
  });

  t('the overlay forms: every natm knows all four alive; node 3 is node 4’s bridge', async () => {
    const t0 = Date.now();
    let last: unknown[] = [];
    await waitUntil(
      () => `every natm to know all four nodes alive (last: ${JSON.stringify(last)})`,
      async () => {
        const all = await Promise.all(
          NODE_NAMES.map((n) => polledStats(n).catch((e: Error) => ({ error: e.message }))),
        );
        last = all.map((s) => ('error' in s ? s : s.members?.map((m) => [m.id.slice(0, 6), m.status])));
        return all.every((s) =>
          NODE_NAMES.every((x) =>
            ('members' in s ? (s.members ?? []) : []).some((m) => m.id === ids[x] && m.status === 'alive'),
          ),
        );
      },
      120_000,
      250,
    );
    report({ overlayFormedMs: Date.now() - t0 });
    assert.ok((await natmStats('n3')).children.includes(ids.n4), "node 3 is node 4's bridge");
  });

  t('an update published at node 1 is deployed on every node as root, through its executor', async () => {
    const lan4 = await topo!.lanPortBytes('n4');
    await topo!.resetCounters('fw');
    const s = await sign(admin, randomPayload(join(bed!.runDir, 'releases'), 'demo-v1.bin', SIZE), URI, 1);
    const applied = `applied ${URI} 1`;
    const logOf = (n: NodeName) => join(c(n).root, node.DEMO_DIR.slice(1), 'deploy.log');
    const t0 = Date.now();
    await node.publish(c('n1'), s);
    // Read from the host through each container's overlay: polling costs the nodes nothing.
    const deployedMs = Object.fromEntries(
      await Promise.all(
        NODE_NAMES.map(async (n) => {
          await waitUntil(
            `${n}: ${applied} in its deploy.log`,
            () => {
              try {
                return readFileSync(logOf(n), 'utf8').split('\n').includes(applied);
              } catch {
                return false;
              }
            },
            180_000,
            100,
          );
          return [n, Math.round(statSync(logOf(n)).mtimeMs - t0)] as const;
        }),
      ),
    );
    const fw = await topo!.counters('fw');
    const viaLan = (await topo!.lanPortBytes('n4')).toHost - lan4.toHost;
    report({ publishToDeployedMs: deployedMs, payloadBytes: SIZE, node4LanBytes: viaLan });
    for (const n of NODE_NAMES) {
      assert.deepEqual(await node.deployLog(c(n)), [`begin ${URI} 1`, applied], `${n}: deployed once`);
      assert.equal((await c(n).readFile(`${node.DEMO_DIR}/marker`)).trim(), `${URI} 1`, n);
      const owner = await c(n).must(['stat', '-c', '%U:%G', node.DEMO_DIR, `${node.DEMO_DIR}/marker`]);
      assert.equal(owner, 'root:root\nroot:root\n', `${n}: root-owned`);
      const sum = await c(n).must(['sha256sum', `${node.DEMO_DIR}/payload`]);
      assert.equal(sum.split(' ')[0], s.sha256, `${n}: the signed bytes`);
      const row = await node.uriStatus(c(n), URI);
      assert.deepEqual([row?.applied, row?.state], [1, 'applied'], `${n}: status --json`);
      const started = (await serviceLines(c(n), UNITS.executor)).filter(
        (l) => l.json?.['msg'] === 'deploy started',
      );
      assert.deepEqual(
        started.map((l) => [l.json?.['uri'], l.json?.['user']]),
        [[URI, 'root']],
        `${n}: the executor ran the deployer once, as root`,
      );
      for (const d of ['manager', 'natm'] as const)
        assert.equal((await serviceProcess(c(n), UNITS[d])).user, USERS[d], `${n}: ${d} unprivileged`);
      const accepted = (await serviceLines(c(n), UNITS.manager)).filter(
        (l) => l.json?.['msg'] === 'update accepted',
      );
      assert.deepEqual(
        accepted.map((l) => l.json?.['source']),
        [n === 'n1' ? 'inbox' : 'natm'],
        `${n}: accepted once, from ${n === 'n1' ? 'the inbox' : 'the overlay'}`,
      );
    }
    // Node 4 has no path out: what it got came through node 3, its bytes over the LAN.
    for (const p of (await natmStats('n4')).peers)
      assert.equal(p.path, p.id === ids.n3 ? 'direct' : 'bridged', `node 4's path to ${p.id}`);
    assert.equal(fw['wan_in_isolated']!.bytes, 0, 'nothing from the public side reached node 4');
    assert.ok(viaLan >= SIZE, `node 4 fetched the payload over its LAN (${viaLan} bytes)`);
  });
});
