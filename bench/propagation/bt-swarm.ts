/**
 * The BitTorrent layer alone on the star topology ("bittorrent-only" mode): one real
 * transmission-daemon and one harness peer tracker per host, each tracker listing every
 * other host's public endpoint (what the overlay would hand out). The origin seeds.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harnessFile, REPO_ROOT, tsNode } from '../../test/e2e/harness/paths.ts';
import { metainfoFor, TRACKER_PORT } from '../../test/e2e/harness/swarm.ts';
import { startTransmission, type RunningTransmission } from '../../test/e2e/harness/transmission.ts';
import type { MadeUpdate } from '../../test/e2e/harness/update-files.ts';
import { waitUntil } from '../../test/e2e/harness/wait.ts';
import type { StarNode } from '../net/star-plan.ts';
import type { StarTopology } from '../net/star-topology.ts';

export type BtSwarm = Map<string, RunningTransmission>;

/** Each host's peer list: every other host's public endpoint (pure). */
export function peerLists(hosts: readonly StarNode[]): Map<string, string[]> {
  return new Map(
    hosts.map((h) => [h.name, hosts.filter((o) => o !== h).map((o) => `${o.publicIp}:${o.btPort}`)]),
  );
}

async function startHost(
  topo: StarTopology,
  h: StarNode,
  infoHash: string,
  peers: string[],
  trSettings: object,
): Promise<RunningTransmission> {
  const dir = join(topo.runDir, h.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'peers.json'), JSON.stringify({ [infoHash]: peers }));
  const [cmd, args] = tsNode(harnessFile('peer-tracker.ts'), [String(TRACKER_PORT), join(dir, 'peers.json')]);
  const tracker = topo.procs.spawn(`tracker-${h.name}`, h.ns, cmd, args, { cwd: REPO_ROOT });
  const tr = await startTransmission(topo, h, join(dir, 'tr'), trSettings);
  // a daemon whose first announce fails retries only ~20 s later: have the tracker up first
  await waitUntil(
    `tracker on ${h.name}`,
    () => readFileSync(tracker.logFile, 'utf8').includes('listening'),
    90_000,
    200,
  );
  return tr;
}

/** Starts every host's daemon and tracker, a few at a time (tsx start-up is CPU-heavy). */
export async function startBtSwarm(
  topo: StarTopology,
  upd: MadeUpdate,
  trSettings: object = {},
): Promise<BtSwarm> {
  const peers = peerLists(topo.hosts);
  const swarm: BtSwarm = new Map();
  const queue = [...topo.hosts];
  const worker = async () => {
    for (let h = queue.shift(); h; h = queue.shift())
      swarm.set(h.name, await startHost(topo, h, upd.infoHash, peers.get(h.name) ?? [], trSettings));
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return swarm;
}

/** "Publish": the origin gets the payload and the torrent, every node the torrent, at once. */
export async function publishBt(swarm: BtSwarm, origin: StarNode, upd: MadeUpdate): Promise<void> {
  const o = swarm.get(origin.name);
  if (!o) throw new Error('origin daemon missing');
  copyFileSync(upd.payloadPath, join(o.downloadDir, upd.name));
  const { base64 } = metainfoFor(upd);
  await Promise.all([...swarm.values()].map((tr) => tr.rpc.call('torrent-add', { metainfo: base64 })));
}
