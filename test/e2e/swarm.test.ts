/**
 * A real Transmission swarm across the Figure 2 topology, before any of our agents run:
 * node 1 (public) seeds a torrent-file++; nodes 2 (NAT), 3 and 4 (firewall) fetch it,
 * each daemon fed its peers by a tracker on its own loopback. Node 4 has no path out,
 * so all its bytes come from node 3 over the LAN; the firewall's counters show the file
 * crossed it about once, not twice.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FailureGuard } from './harness/guard.ts';
import { metainfoFor, seedOnNode1, startSwarm, type Swarm } from './harness/swarm.ts';
import { Topology } from './harness/topology.ts';
import { waitComplete } from './harness/torrent-wait.ts';
import { makeUpdate, newAdminKey, type MadeUpdate } from './harness/update-files.ts';

const SIZE = 8 * 1024 * 1024;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('Transmission swarm across Figure 2', () => {
  const guard = new FailureGuard();
  let topo: Topology;
  let upd: MadeUpdate;
  let tr: Swarm;

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
    tr = await startSwarm(topo);
  });

  after(async () => {
    await topo?.destroy({ keepFiles: guard.failed });
  });

  it(
    'nodes 2, 3 and 4 download from node 1; nodes 3 and 4 share over their LAN',
    guard.wrap(async () => {
      const { base64, infoHash } = metainfoFor(upd);
      assert.equal(infoHash, upd.infoHash, "a node's own announce URL leaves the infohash alone");
      await seedOnNode1(tr, upd);
      await topo.resetCounters('fw');
      const lan4 = await topo.lanPortBytes('n4');
      const t0 = Date.now();
      const leechers = ['n2', 'n3', 'n4'] as const;
      await Promise.all(leechers.map((n) => tr[n].rpc.call('torrent-add', { metainfo: base64 })));
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
