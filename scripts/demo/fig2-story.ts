/**
 * The full Figure 2 story, live: rendezvous and four nodes start, find each other
 * (punching through the NAT, bridging node 4 through node 3), the admin drops v1 into
 * node 1's inbox, and every node verifies, downloads and deploys it; the admin reads the
 * fleet view from node 1. Then node 2 is "stolen": the admin revokes it, the others cut it
 * off within a second, and v2 reaches nodes 1, 3 and 4 but not node 2. Ends with a table.
 */
import { join } from 'node:path';
import { Admin } from '../../test/e2e/harness/admin.ts';
import { Cluster, type Endpoint } from '../../test/e2e/harness/cluster.ts';
import { revoke } from '../../test/e2e/harness/enrollment.ts';
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

async function watchUpdate(
  c: Cluster,
  say: Narrator,
  version: number,
  timeoutS: number,
  nodes: readonly NodeName[] = NODE_NAMES,
) {
  const shown: Record<string, string> = {};
  const doneAt: Record<string, number> = {};
  while (Object.keys(doneAt).length < nodes.length && say.elapsed() < timeoutS) {
    for (const n of nodes) {
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

  const fw = await topo.counters('fw');
  const lastV1 = Math.max(...Object.values(doneAt));

  say.step('The admin asks node 1 who runs what: p2p-update members');
  // Each node gossips what it applied; give node 1's view up to 20 s to show v1 everywhere.
  let members = await c.members('n1');
  for (let i = 0; i < 40 && !members.every((m) => Object.values(m.applied).includes(1)); i++) {
    await sleep(500);
    members = await c.members('n1');
  }
  members.sort((a, b) => c.nameOf(a.id).localeCompare(c.nameOf(b.id)));
  say.table(
    ['node', 'status', 'path', 'applied'],
    members.map((m) => [
      c.nameOf(m.id),
      m.self ? 'self' : m.status,
      m.path ?? '-',
      Object.entries(m.applied)
        .map(([uri, v]) => `${uri} v${v}`)
        .join(', ') || '-',
    ]),
  );

  await revokeStory(c, admin, say);

  say.step('Where things stand');
  say.say(
    `firewall WAN in: ${mib(fw['wan_in']!.bytes)} for nodes 3 and 4 (${mib(2 * SIZE)} if each had fetched it)`,
  );
  if (Object.keys(doneAt).length === NODE_NAMES.length)
    say.say(`v1: publish to last node deployed: ${lastV1.toFixed(1)} s`);
  say.table(
    ['node', 'where', 'path to n1', 'applied', 'v1 deployed after'],
    NODE_NAMES.map((n) => [
      n,
      WHERE[n],
      n === 'n1' ? '-' : (paths.get(n) ?? '?'),
      currentDeployed(c, n) === null ? '-' : `v${currentDeployed(c, n)}`,
      doneAt[n] === undefined ? 'not yet' : `${doneAt[n]!.toFixed(1)} s`,
    ]),
  );
}

/** Node 2 is stolen: revoked at the CA, the notice handed to node 1 only; v2 skips node 2. */
async function revokeStory(c: Cluster, admin: Admin, say: Narrator): Promise<void> {
  say.step('Node 2 is stolen. The admin revokes it and hands the notice to node 1 only');
  say.say(`$ p2p-update ca revoke ${c.ids.n2} --dir CA   (then the notice file into n1's notices dir)`);
  const others = ['n1', 'n3', 'n4'] as const;
  const notice = await revoke(c.enrollment, c.ids.n2);
  say.reset();
  c.dropNotice('n1', notice);
  const cut = new Set<string>();
  while (cut.size < others.length && say.elapsed() < 20) {
    for (const n of others) {
      if (cut.has(n) || !(await c.cutOff(n, c.ids.n2))) continue;
      cut.add(n);
      say.event(n, 'n2 revoked: sessions dropped, its packets refused from now on');
    }
    await sleep(100);
  }
  const late = others.filter((n) => !cut.has(n));
  if (late.length) say.say(`(not seen cut off within 20 s: ${late.join(', ')})`);
  say.step("The admin signs v2 and drops it into node 1's inbox");
  const v2 = await admin.release(2, 1024 * 1024);
  say.reset();
  c.publish('n1', v2.torrent, v2.payload, v2.name);
  const doneAt = await watchUpdate(c, say, 2, 90, others);
  const missed = others.filter((n) => doneAt[n] === undefined);
  if (missed.length) say.say(`(v2 not deployed within 90 s on: ${missed.join(', ')})`);
  const n2 = storeCurrent(c, 'n2');
  say.say(
    n2?.version === 2
      ? `n2 heard of v2 (${n2.state}): the revocation did not hold`
      : `n2 still runs v${currentDeployed(c, 'n2') ?? '-'} and never heard of v2: nobody told it or serves it the file`,
  );
}
