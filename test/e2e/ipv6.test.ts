/**
 * Figure 2 over IPv6 (issue 19 items 5 and 7; plan.ts `ipv6`, ULA addresses inside the
 * namespaces only): a dual-stack rendezvous, node 1 dual-stack, node 2 IPv4-only behind
 * its NAT, nodes 3 and 4 IPv6-only behind a stateful IPv6 firewall (no NAT66; one UDP
 * pinhole to node 3, node 4 cut off from the public side). One fleet: every natm knows
 * every node, node 2 and node 3 (no common family) through the rendezvous' relay. v1,
 * signed and dropped into node 1's inbox, is deployed on all four nodes through real
 * transmission-daemons: node 2 fetches over IPv4, node 3 over IPv6 from node 1's IPv6
 * address (handed to its daemon as BEP 7 `peers6`, natm's peer view listing every LAN
 * endpoint of a dual-stack peer), node 4 from node 3 over the IPv6 LAN.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin } from './harness/admin.ts';
import type { Cluster } from './harness/cluster.ts';
import { startFig2 } from './harness/fig2-bed.ts';
import { FailureGuard } from './harness/guard.ts';
import { demoRow, status, waitDeployed } from './harness/node-status.ts';
import { NODE_NAMES, type NodeName } from './harness/plan.ts';
import type { Topology } from './harness/topology.ts';
import { sleep, waitUntil } from './harness/wait.ts';

const SIZE = 2 * 1024 * 1024;
const DEPLOY_TIMEOUT = 100_000;
const report = (o: object) => process.stderr.write(`ipv6: ${JSON.stringify(o)}\n`);

describe('Figure 2 over IPv6: IPv4-only and IPv6-only nodes in one fleet', { timeout: 300_000 }, () => {
  const guard = new FailureGuard();
  let topo: Topology;
  let cluster: Cluster;
  let admin: Admin;

  before(async () => {
    const bed = await startFig2('p2pe-6-', {}, { ipv6: true });
    ({ topo, cluster, admin } = bed);
    report({ overlayFormedMs: bed.overlayFormedMs });
  });

  after(async () => {
    await topo?.destroy({ keepFiles: guard.failed });
  });

  /** The addresses on a node's eth0 of one family (`ip -4` / `ip -6`, link-local left out). */
  const addrs = async (n: NodeName, family: '-4' | '-6') => {
    const out = await topo.exec(topo.node(n).ns, 'ip', ['-j', family, 'addr', 'show', 'dev', 'eth0']);
    const links = JSON.parse(out || '[]') as Array<{ addr_info?: Array<{ local: string; scope: string }> }>;
    return links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.scope !== 'link').map((a) => a.local));
  };

  it(
    'the families: node 2 IPv4 only, nodes 3 and 4 IPv6 only; natm learns each endpoint in its own family; 2↔3 relayed',
    guard.wrap(async () => {
      assert.deepEqual(await addrs('n2', '-6'), [], 'node 2 has no IPv6');
      for (const n of ['n3', 'n4'] as const) {
        assert.deepEqual(await addrs(n, '-4'), [], `${n} has no IPv4`);
        assert.deepEqual(await addrs(n, '-6'), [topo.node(n).ip]);
      }
      assert.deepEqual(await addrs('n1', '-6'), [topo.node('n1').ip6]);
      await waitUntil(
        "node 3's external endpoint: its own IPv6 address (no NAT66)",
        async () => (await cluster.natmStats('n3')).external?.address === topo.node('n3').ip,
        30_000,
      );
      assert.equal((await cluster.natmStats('n2')).external?.address, topo.plan.natWanIp);
      let paths = '';
      await waitUntil(
        () => `node 2 and node 3 to reach each other through the relay; paths: ${paths}`,
        async () => {
          const p23 = (await cluster.natmStats('n2')).peers.find((p) => p.id === cluster.ids.n3)?.path;
          const p32 = (await cluster.natmStats('n3')).peers.find((p) => p.id === cluster.ids.n2)?.path;
          paths = `2→3 ${p23}, 3→2 ${p32}`;
          return p23 === 'relayed' && p32 === 'relayed';
        },
        30_000,
      );
      report({ paths });
    }),
  );

  it(
    'update: v1 published at node 1 is deployed on all four nodes; node 3 fetches over IPv6, node 4 over the IPv6 LAN',
    guard.wrap(async () => {
      const rel = await admin.release(1, SIZE);
      await topo.resetCounters('fw', 'ip6');
      await topo.resetCounters('fw', 'ip');
      const lan4 = await topo.lanPortBytes('n4');
      const n3Peers = new Set<string>();
      let done = false;
      const watchPeers = (async () => {
        while (!done) {
          const r = await cluster
            .transmission('n3')
            .call<{ torrents: Array<{ peers: Array<{ address: string }> }> }>('torrent-get', {
              fields: ['peers'],
            })
            .catch(() => ({ torrents: [] }));
          for (const t of r.torrents) for (const p of t.peers) n3Peers.add(p.address);
          await sleep(300);
        }
      })();
      const t0 = Date.now();
      cluster.publish('n1', rel.torrent, rel.payload, rel.name);
      const at = await waitDeployed(cluster, NODE_NAMES, 1, DEPLOY_TIMEOUT).finally(() => (done = true));
      await watchPeers;
      const fw6 = await topo.counters('fw', 'ip6');
      const fw4 = await topo.counters('fw', 'ip');
      const viaLan = (await topo.lanPortBytes('n4')).toHost - lan4.toHost;
      report({
        scenario: 'update over IPv6',
        msToDeployPerNode: at,
        totalMs: Date.now() - t0,
        firewallInBytesIpv6: fw6['wan_in']!.bytes,
        firewallInBytesIpv4: fw4['wan_in']!.bytes,
        node4LanBytes: viaLan,
        node3Peers: [...n3Peers],
      });
      for (const n of NODE_NAMES) {
        const log = cluster.deployed(n);
        assert.deepEqual(
          log.map((l) => [l.version, l.sha256]),
          [[1, rel.sha256]],
          `${n}: v1 deployed once, the signed bytes`,
        );
        assert.equal(demoRow(await status(cluster, n))?.applied, 1, `${n}: status applied`);
      }
      assert.ok(
        n3Peers.has(topo.node('n1').ip6!),
        `node 3's daemon had node 1 at its IPv6 address: ${[...n3Peers].join(', ')}`,
      );
      assert.ok(
        fw6['wan_in']!.bytes >= SIZE,
        `the file crossed the firewall over IPv6 (${fw6['wan_in']!.bytes})`,
      );
      assert.equal(fw4['wan_in']!.bytes, 0, 'nothing crossed it over IPv4');
      assert.ok(viaLan >= SIZE, `node 4 got the file over the LAN (${viaLan} bytes)`);
    }),
  );
});
