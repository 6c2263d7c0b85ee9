/**
 * A directory update across the Figure 2 bed (docs/protocol/torrent-file-plus-plus.md
 * §Directory payloads): `p2p-update create DIR` signs a tree of 5 files (2.1 MB, three
 * levels); it is published through node 1's inbox (the directory beside its torrent)
 * and real transmission-daemons carry it as a multi-file torrent to nodes 2 (NAT), 3 and
 * 4 (firewall; node 4 only through node 3). On every node the manager checks the
 * directory against the signed manifest, the deploy executor copies and re-checks it, and
 * the deploy script (fixtures/deploy-demo.sh) sees P2PU_DIR holding exactly the signed
 * files: its listing (`sha256sum` of every file) is compared with the source tree's.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import type { Cluster } from './harness/cluster.ts';
import { startFig2 } from './harness/fig2-bed.ts';
import { FailureGuard } from './harness/guard.ts';
import { DEMO_URI } from './harness/node-configs.ts';
import { demoRow, status, waitDeployed } from './harness/node-status.ts';
import { BIN } from './harness/paths.ts';
import { NODE_NAMES } from './harness/plan.ts';
import { run } from './harness/run.ts';
import type { Topology } from './harness/topology.ts';

const DEPLOY_TIMEOUT = 150_000;
const report = (o: object) => process.stderr.write(`dir-payload: ${JSON.stringify(o)}\n`);

const TREE: Record<string, Buffer> = {
  'bin/app': randomBytes(2 * 1024 * 1024),
  'bin/run.sh': Buffer.from('#!/bin/sh\nexec "$(dirname "$0")/app"\n'),
  'etc/app.conf': Buffer.from('port=8080\n'),
  'etc/keys/peer one.pem': randomBytes(3000),
  README: Buffer.from('a directory update\n'),
};

/** What deploy-demo.sh writes for a directory: `sha256  ./path`, sorted by bytes. */
function listing(): string {
  return Object.keys(TREE)
    .map((p) => `./${p}`)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((p) => `${createHash('sha256').update(TREE[p.slice(2)]!).digest('hex')}  ${p}\n`)
    .join('');
}

describe('Figure 2: a directory payload reaches every node', { timeout: 600_000 }, () => {
  const guard = new FailureGuard();
  let topo: Topology;
  let cluster: Cluster;

  before(async () => {
    const bed = await startFig2('p2pe-y-');
    ({ topo, cluster } = bed);
    report({ overlayFormedMs: bed.overlayFormedMs });
  });

  after(async () => {
    await topo?.destroy({ keepFiles: guard.failed });
  });

  it(
    'create DIR → node 1 inbox → all four nodes deploy it; P2PU_DIR holds exactly the signed files',
    guard.wrap(async () => {
      const src = join(topo.runDir, 'admin-tree', 'app-tree');
      for (const [p, b] of Object.entries(TREE)) {
        mkdirSync(dirname(join(src, p)), { recursive: true });
        writeFileSync(join(src, p), b);
      }
      const torrent = join(topo.runDir, 'app-tree.torrent');
      await run(
        BIN,
        ['create', src, '--uri', DEMO_URI, '--version', '1', '--key', cluster.adminKey, '--out', torrent],
        {
          timeoutMs: 60_000,
        },
      );
      const t = parseTorrentPlusPlus(new Uint8Array(readFileSync(torrent)));
      assert.equal(t.info.files?.length, 5);
      assert.equal(t.inline, undefined, 'a directory is never inline');
      const shown = JSON.parse(await run(BIN, ['show', torrent, '--json'], { timeoutMs: 30_000 })) as {
        files: { path: string }[];
      };
      assert.deepEqual(
        shown.files.map((f) => f.path),
        Object.keys(TREE).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
      // The directory goes into node 1's inbox whole (a dot-name renamed), then its torrent.
      const inbox = cluster.layout.n1.inboxDir;
      cpSync(src, join(inbox, '.app-tree.part'), { recursive: true });
      renameSync(join(inbox, '.app-tree.part'), join(inbox, 'app-tree'));
      const t0 = Date.now();
      cluster.publish('n1', torrent);
      const at = await waitDeployed(cluster, NODE_NAMES, 1, DEPLOY_TIMEOUT);
      report({ msToDeploy: at, totalMs: Date.now() - t0, files: 5, bytes: t.info.length });
      const want = listing();
      for (const n of NODE_NAMES) {
        assert.equal(
          readFileSync(join(cluster.layout[n].deployDir, 'demo-v1'), 'utf8'),
          want,
          `${n}: P2PU_DIR`,
        );
        assert.deepEqual(
          cluster.deployed(n).map((l) => l.version),
          [1],
          `${n}: deployed once`,
        );
        const row = demoRow(await status(cluster, n));
        assert.equal(row?.applied, 1, `${n}: status --json applied`);
      }
    }),
  );
});
