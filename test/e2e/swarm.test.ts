/**
 * A real Transmission swarm across the Figure 2 topology, before any of our agents run:
 * node 1 (public) seeds a torrent-file++; nodes 2 (NAT), 3 and 4 (firewall) fetch it,
 * each daemon fed its peers by a tracker on its own loopback. Node 4 has no path out,
 * so all its bytes come from node 3 over the LAN; the firewall's counters show the file
 * crossed it about once, not twice.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withAnnounce } from '../../agent/metainfo/announce.ts';
import { parseTorrentPlusPlus } from '../../agent/metainfo/parse.ts';
import { FailureGuard } from './harness/guard.ts';
import { harnessFile, REPO_ROOT, tsNode } from './harness/paths.ts';
import { NODE_NAMES, type NodeName } from './harness/plan.ts';
import { Topology } from './harness/topology.ts';
import { waitComplete } from './harness/torrent-wait.ts';
import { startTransmission, type RunningTransmission } from './harness/transmission.ts';
import { makeUpdate, newAdminKey, type MadeUpdate } from './harness/update-files.ts';

const SIZE = 8 * 1024 * 1024;
const TRACKER_PORT = 7070;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('Transmission swarm across Figure 2', () => {
  const guard = new FailureGuard();
  let topo: Topology;
  let upd: MadeUpdate;
  const tr = {} as Record<NodeName, RunningTransmission>;

  before(async () => {
    topo = await Topology.create({ prefix: 'p2pe-w-' });
    const { key } = await newAdminKey();
    upd = await makeUpdate(topo.runDir, {
      name: 'demo.bin',
      size: SIZE,
      uri: 'app:/opt/demo',
      version: 1,
      key,
    });
    const ep = (n: NodeName, lan = false) =>
      `${lan ? topo.node(n).ip : topo.node(n).publicIp}:${topo.node(n).btPort}`;
    // what the overlay would tell each node: public endpoints, LAN addresses for LAN neighbours
    const peers: Record<NodeName, string[]> = {
      n1: [],
      n2: [ep('n1'), ep('n3')],
      n3: [ep('n1'), ep('n2'), ep('n4', true)],
      n4: [ep('n3', true)],
    };
    await Promise.all(
      NODE_NAMES.map(async (n) => {
        const dir = join(topo.runDir, n);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'peers.json'), JSON.stringify({ [upd.infoHash]: peers[n] }));
        const [cmd, args] = tsNode(harnessFile('peer-tracker.ts'), [
          String(TRACKER_PORT),
          join(dir, 'peers.json'),
        ]);
        topo.procs.spawn(`tracker-${n}`, topo.node(n).ns, cmd, args, { cwd: REPO_ROOT });
        tr[n] = await startTransmission(topo, topo.node(n), join(dir, 'tr'));
      }),
    );
  });

  after(async () => {
    await topo?.destroy({ keepFiles: guard.failed });
  });

  it(
    'nodes 2, 3 and 4 download from node 1; nodes 3 and 4 share over their LAN',
    guard.wrap(async () => {
      const metainfo = (n: NodeName) => {
        const t = withAnnounce(parseTorrentPlusPlus(upd.raw), `http://127.0.0.1:${TRACKER_PORT}/announce`);
        assert.equal(t.infoHash, upd.infoHash, `${n}: a node's own announce URL leaves the infohash alone`);
        return Buffer.from(t.raw).toString('base64');
      };
      copyFileSync(upd.payloadPath, join(tr.n1.downloadDir, upd.name));
      await tr.n1.rpc.call('torrent-add', { metainfo: metainfo('n1') });
      await waitComplete(tr.n1.rpc, upd.infoHash, 30_000); // verified local data: seeding
      await topo.resetCounters('fw');
      const lan4 = await topo.lanPortBytes('n4');
      const t0 = Date.now();
      const leechers = ['n2', 'n3', 'n4'] as const;
      await Promise.all(leechers.map((n) => tr[n].rpc.call('torrent-add', { metainfo: metainfo(n) })));
      const done = await Promise.all(
        leechers.map(async (n) => {
          const s = await waitComplete(tr[n].rpc, upd.infoHash, 120_000);
          return { n, s, seconds: (Date.now() - t0) / 1000 };
        }),
      );
      const want = sha(upd.payloadPath);
      for (const { n, s } of done) {
        assert.equal(s.corruptEver, 0, `${n}: no corrupt pieces`);
        assert.equal(sha(join(tr[n].downloadDir, upd.name)), want, `${n}: identical file`);
      }
      const fw = await topo.counters('fw');
      const lan4After = await topo.lanPortBytes('n4');
      const viaLan = lan4After.toHost - lan4.toHost;
      const report = {
        seconds: Object.fromEntries(done.map((d) => [d.n, d.seconds])),
        fileBytes: SIZE,
        firewallInBytes: fw['wan_in']!.bytes,
        node4LanBytes: viaLan,
      };
      process.stderr.write(`swarm: ${JSON.stringify(report)}\n`);
      assert.equal(fw['wan_in_isolated']!.bytes, 0, 'nothing from the public side reached node 4');
      assert.ok(viaLan >= SIZE, `node 4 got the whole file over the LAN (${viaLan} bytes)`);
      assert.ok(fw['wan_in']!.bytes >= SIZE, 'node 3 fetched the file through the firewall');
      assert.ok(
        fw['wan_in']!.bytes < 2 * SIZE,
        `the file crossed the firewall less than twice (${fw['wan_in']!.bytes})`,
      );
    }),
  );
});
