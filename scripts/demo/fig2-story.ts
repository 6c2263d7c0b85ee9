/**
 * The full Figure 2 story, live: rendezvous and four nodes start, find each other
 * (punching through the NAT, bridging node 4 through node 3), the admin drops v1 into
 * node 1's inbox, and every node verifies, downloads and deploys it. Ends with a table.
 */
import { join } from 'node:path';
import { Admin } from '../../test/e2e/harness/admin.ts';
import { Cluster, type Endpoint } from '../../test/e2e/harness/cluster.ts';
import { currentDeployed, storeCurrent } from '../../test/e2e/harness/node-status.ts';
import { NODE_NAMES, type NodeName } from '../../test/e2e/harness/plan.ts';
import type { Topology } from '../../test/e2e/harness/topology.ts';
import { sleep } from '../../test/e2e/harness/wait.ts';
import { mib, type Narrator } from './narrator.ts';

const SIZE = 4 * 1024 * 1024;
const WHERE: Record<NodeName, string> = {
  n1: 'public',
  n2: 'behind NAT',
  n3: 'behind firewall (bridge)',
  n4: 'behind firewall, no way out',
};

const ep = (e?: Endpoint) => (e ? `${e.address}:${e.port}` : '?');

/** Narrates the overlay forming, from each natm's stats: registration, punched paths, the bridge. */
async function watchOverlay(c: Cluster, say: Narrator, timeoutS: number): Promise<Map<string, string>> {
  const told = new Set<string>();
  const pathToN1 = new Map<string, string>();
  const tell = (key: string, who: string, text: string) => {
    if (told.has(key)) return;
    told.add(key);
    say.event(who, text);
  };
  while (say.elapsed() < timeoutS) {
    for (const n of NODE_NAMES) {
      const s = await c.natmStats(n).catch(() => null);
      if (!s) continue;
      if (s.external)
        tell(`${n}-ext`, n, `registered with the rendezvous; STUN says it is ${ep(s.external)}`);
      for (const child of s.children.map((id) => c.nameOf(id)))
        tell(`${n}-child-${child}`, child, `no way out: joined through bridge ${n}`);
      for (const p of s.peers) {
        const peer = c.nameOf(p.id);
        if (p.path === 'punched')
          tell(`punch-${[n, peer].sort().join('-')}`, n, `hole punched to ${peer} (${ep(p.external)})`);
        if (p.id === c.ids.n1 && p.path) pathToN1.set(n, p.path);
      }
    }
    if (['n2', 'n3', 'n4'].every((n) => pathToN1.has(n))) break;
    await sleep(500);
  }
  return pathToN1;
}

async function watchUpdate(c: Cluster, say: Narrator, version: number, timeoutS: number) {
  const shown: Record<string, string> = {};
  const doneAt: Record<string, number> = {};
  while (Object.keys(doneAt).length < NODE_NAMES.length && say.elapsed() < timeoutS) {
    for (const n of NODE_NAMES) {
      if (doneAt[n] !== undefined) continue;
      if (currentDeployed(c, n) === version) {
        doneAt[n] = say.elapsed();
        say.event(n, `deployed v${version}: the deploy script ran`);
        continue;
      }
      const row = storeCurrent(c, n);
      if (row?.version !== version) continue;
      const pct = row.state === 'downloading' ? ` ${Math.floor(row.progress * 4) * 25}%` : '';
      const line = `${row.state}${pct}`;
      if (shown[n] === line) continue;
      if (shown[n] === undefined)
        say.event(
          n,
          n === 'n4' ? `notification relayed through n3, verified v${version}` : `verified v${version}`,
        );
      if (row.state !== 'verified') say.event(n, line);
      shown[n] = line;
    }
    await sleep(300);
  }
  return doneAt;
}

export async function fig2Story(topo: Topology, say: Narrator): Promise<void> {
  say.step('The admin makes a CA; every node enrolls with the enrollment server for its certificate');
  const c = await Cluster.create(topo);
  for (const n of NODE_NAMES) say.event(n, `enrolled: node id ${c.ids[n]}`);
  say.step(
    'Every node starts transmission-daemon, natm and manager; the rendezvous starts. There is no cluster key: natm signs each packet with the node key, links are certificate sessions',
  );
  say.reset();
  await c.start();
  const paths = await watchOverlay(c, say, 30);

  say.step(`The admin signs v1 (${mib(SIZE)}) and drops it into node 1's inbox`);
  const admin = new Admin(join(topo.runDir, 'admin'), c.adminKey);
  const v1 = await admin.release(1, SIZE);
  await topo.resetCounters('fw');
  say.reset();
  c.publish('n1', v1.torrent, v1.payload, v1.name);
  const doneAt = await watchUpdate(c, say, 1, 90);

  say.step('Where things stand');
  const fw = await topo.counters('fw');
  say.say(
    `firewall WAN in: ${mib(fw['wan_in']!.bytes)} for nodes 3 and 4 (${mib(2 * SIZE)} if each had fetched it)`,
  );
  const last = Math.max(...Object.values(doneAt));
  if (Object.keys(doneAt).length === NODE_NAMES.length)
    say.say(`publish to last node deployed: ${last.toFixed(1)} s`);
  say.table(
    ['node', 'where', 'path to n1', 'applied', 'deployed after'],
    NODE_NAMES.map((n) => [
      n,
      WHERE[n],
      n === 'n1' ? '-' : (paths.get(n) ?? '?'),
      currentDeployed(c, n) === null ? '-' : `v${currentDeployed(c, n)}`,
      doneAt[n] === undefined ? 'not yet' : `${doneAt[n]!.toFixed(1)} s`,
    ]),
  );
}
