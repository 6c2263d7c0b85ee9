/**
 * Figure 2 over IPv6 (issue 19 items 5 and 7; plan.ts `ipv6`, ULA addresses inside the
 * namespaces only): a dual-stack rendezvous, node 1 dual-stack, node 2 IPv4-only behind
 * its NAT, nodes 3 and 4 IPv6-only behind a stateful IPv6 firewall (no NAT66; one UDP
 * pinhole to node 3, node 4 cut off from the public side). One fleet: every natm knows
 * every node, node 2 and node 3 (no common family) through the rendezvous' relay.
 * Not yet here (issue 19 item 7): the full update over IPv6. In its one run (commit
 * 08294d0) v1 published at node 1 reached nodes 1 and 2, node 3's manager handed its
 * daemon 5 peers (node 1's IPv6 address among them, as `peers6`), but Transmission 3.00
 * on node 3 connected to none within 100 s; not diagnosed yet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from './harness/cluster.ts';
import { startFig2 } from './harness/fig2-bed.ts';
import { FailureGuard } from './harness/guard.ts';
import type { NodeName } from './harness/plan.ts';
import type { Topology } from './harness/topology.ts';
import { waitUntil } from './harness/wait.ts';

const report = (o: object) => process.stderr.write(`ipv6: ${JSON.stringify(o)}\n`);

describe('Figure 2 over IPv6: IPv4-only and IPv6-only nodes in one fleet', { timeout: 300_000 }, () => {
  const guard = new FailureGuard();
  let topo: Topology;
  let cluster: Cluster;

  before(async () => {
    const bed = await startFig2('p2pe-6-', {}, { ipv6: true });
    ({ topo, cluster } = bed);
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
});
