/**
 * The BitTorrent layer of Figure 2, told live: node 1 seeds, node 2 (behind NAT) and
 * node 3 (behind the firewall) fetch from it, node 4 (no way out) from node 3 over the
 * LAN. Used when the agents are not in this build; the full story is fig2-story.ts.
 */
import { seedOnNode1, metainfoFor, startSwarm } from '../../test/e2e/harness/swarm.ts';
import type { Topology } from '../../test/e2e/harness/topology.ts';
import { torrentState } from '../../test/e2e/harness/torrent-wait.ts';
import { makeUpdate, newAdminKey } from '../../test/e2e/harness/update-files.ts';
import { sleep } from '../../test/e2e/harness/wait.ts';
import { mib, Narrator } from './narrator.ts';

const SIZE = 4 * 1024 * 1024;

export async function swarmStory(topo: Topology, say: Narrator): Promise<void> {
  say.step('A signed 4 MiB update; transmission-daemon and a peer tracker on every node');
  const { key } = await newAdminKey();
  const upd = await makeUpdate(topo.runDir, {
    name: 'demo.bin',
    size: SIZE,
    uri: 'app:/opt/demo',
    version: 1,
    key,
  });
  const tr = await startSwarm(topo);
  await seedOnNode1(tr, upd);
  say.event('n1', `seeding ${upd.name} (${mib(SIZE)}, infohash ${upd.infoHash.slice(0, 12)}…)`);
  await topo.resetCounters('fw');

  say.step('Nodes 2, 3 and 4 fetch it');
  say.reset();
  const leechers = ['n2', 'n3', 'n4'] as const;
  await Promise.all(
    leechers.map((n) => tr[n].rpc.call('torrent-add', { metainfo: metainfoFor(upd).base64 })),
  );
  const shown = { n2: -1, n3: -1, n4: -1 };
  const doneAt: Record<string, number> = {};
  while (Object.keys(doneAt).length < 3 && say.elapsed() < 90) {
    for (const n of leechers) {
      const s = await torrentState(tr[n].rpc, upd.infoHash);
      const pct = Math.floor((s?.percentDone ?? 0) * 4) * 25;
      if (s && pct > shown[n]) {
        shown[n] = pct;
        say.event(n, pct === 100 ? 'download complete' : `downloading ${pct}% (${s.peersConnected} peers)`);
        if (pct === 100) doneAt[n] = say.elapsed();
      }
    }
    await sleep(1000);
  }
  const fw = await topo.counters('fw');
  say.step('What crossed the firewall');
  say.say(
    `firewall WAN in: ${mib(fw['wan_in']!.bytes)} for two nodes' ${mib(2 * SIZE)} (node 4 got its copy over the LAN)`,
  );
  say.table(
    ['node', 'where', 'done after'],
    (['n1', ...leechers] as const).map((n) => [
      n,
      { n1: 'public', n2: 'behind NAT', n3: 'behind firewall', n4: 'behind firewall, no way out' }[n],
      n === 'n1' ? 'seed' : doneAt[n] === undefined ? 'not done' : `${doneAt[n]!.toFixed(1)} s`,
    ]),
  );
}
