/**
 * A bare Transmission swarm on Figure 2 (no agents): one transmission-daemon and one
 * peer tracker per node, each tracker told what the overlay would tell that node
 * (public endpoints; LAN addresses for LAN neighbours). Node 1 seeds (seedOnNode1).
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withAnnounce } from '../../../agent/lib/metainfo/announce.ts';
import { parseTorrentPlusPlus } from '../../../agent/lib/metainfo/parse.ts';
import { harnessFile, REPO_ROOT, tsNode } from './paths.ts';
import { NODE_NAMES, type NodeName } from './plan.ts';
import type { Topology } from './topology.ts';
import { waitComplete } from './torrent-wait.ts';
import { startTransmission, type RunningTransmission } from './transmission.ts';
import type { MadeUpdate } from './update-files.ts';
import { waitUntil } from './wait.ts';

export const TRACKER_PORT = 7070;
export type Swarm = Record<NodeName, RunningTransmission>;

export function overlayPeers(topo: Topology): Record<NodeName, string[]> {
  const ep = (n: NodeName, lan = false) =>
    `${lan ? topo.node(n).ip : topo.node(n).publicIp}:${topo.node(n).btPort}`;
  return { n1: [], n2: [ep('n1'), ep('n3')], n3: [ep('n1'), ep('n2'), ep('n4', true)], n4: [ep('n3', true)] };
}

export async function startSwarm(
  topo: Topology,
  trOverrides: Partial<Record<NodeName, object>> = {},
): Promise<Swarm> {
  const peers = overlayPeers(topo);
  const tr = {} as Swarm;
  await Promise.all(
    NODE_NAMES.map(async (n) => {
      const dir = join(topo.runDir, n);
      mkdirSync(dir, { recursive: true });
      const [cmd, args] = tsNode(harnessFile('peer-tracker.ts'), [String(TRACKER_PORT), ...peers[n]]);
      const tracker = topo.procs.spawn(`tracker-${n}`, topo.node(n).ns, cmd, args, { cwd: REPO_ROOT });
      tr[n] = await startTransmission(topo, topo.node(n), join(dir, 'tr'), trOverrides[n] ?? {});
      // a daemon whose first announce fails waits ~20 s to retry: have the tracker up first
      await waitUntil(
        `tracker on ${n}`,
        () => readFileSync(tracker.logFile, 'utf8').includes('listening'),
        20_000,
        100,
      );
    }),
  );
  return tr;
}

/** The torrent-file++ with this node's own tracker URL, base64 for torrent-add. */
export function metainfoFor(upd: MadeUpdate): { base64: string; infoHash: string } {
  const t = withAnnounce(parseTorrentPlusPlus(upd.raw), `http://127.0.0.1:${TRACKER_PORT}/announce`);
  return { base64: Buffer.from(t.raw).toString('base64'), infoHash: t.infoHash };
}

/** Node 1 gets the payload and seeds it (its local data verified). */
export async function seedOnNode1(tr: Swarm, upd: MadeUpdate): Promise<void> {
  copyFileSync(upd.payloadPath, join(tr.n1.downloadDir, upd.name));
  await tr.n1.rpc.call('torrent-add', { metainfo: metainfoFor(upd).base64 });
  await waitComplete(tr.n1.rpc, upd.infoHash, 30_000);
}
