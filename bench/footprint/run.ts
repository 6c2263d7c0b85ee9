/**
 * One footprint run: an origin and one node on a shaped link; the node's processes are
 * sampled for a while idle (daemons up, nothing to do), then while it downloads a
 * payload large enough to keep the link busy for the whole window.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../admin-tools/cli/commands.ts';
import { makeUpdate, newAdminKey } from '../../test/e2e/harness/update-files.ts';
import type { TransmissionRpc } from '../../test/e2e/harness/transmission-rpc.ts';
import { waitUntil } from '../../test/e2e/harness/wait.ts';
import { StarTopology } from '../net/star-topology.ts';
import { buildCliBundle } from '../lib/bundle.ts';
import { publishBt, startBtSwarm } from '../propagation/bt-swarm.ts';
import { publishViaInbox, startManagerSwarm } from '../propagation/manager-swarm.ts';
import { sample, type Footprint } from './sampler.ts';

export interface FootprintOptions {
  readonly seconds: number;
  readonly rateMbit: number;
  readonly keepFiles: boolean;
}

const log = (l: string) => process.stderr.write(`footprint: ${l}\n`);

/** Whether this tree has the long-running agents yet (the `manager` and `natm` commands). */
export function agentsPresent(): boolean {
  return 'manager' in COMMANDS && 'natm' in COMMANDS;
}

async function downloaded(rpc: TransmissionRpc, hash: string): Promise<number> {
  const r = await rpc.call<{ torrents: Array<{ downloadedEver: number }> }>('torrent-get', {
    ids: [hash],
    fields: ['downloadedEver'],
  });
  return r.torrents[0]?.downloadedEver ?? 0;
}

function pidOf(topo: StarTopology, name: string): number {
  const pid = topo.procs.get(name)?.child.pid;
  if (pid === undefined) throw new Error(`process ${name} is not running`);
  return pid;
}

export async function runFootprint(o: FootprintOptions) {
  const topo = await StarTopology.create({
    prefix: 'p2pb-f-',
    nodes: 1,
    natEvery: 0,
    shape: { rateMbit: o.rateMbit },
    log,
  });
  let ok = false;
  try {
    // big enough that the link stays busy through the whole window
    const size = Math.ceil(((o.rateMbit * 1e6) / 8) * (o.seconds + 15));
    const { key, publicPem } = await newAdminKey();
    const upd = await makeUpdate(topo.runDir, {
      name: 'payload.bin',
      size,
      uri: 'app:/opt/bench',
      version: 1,
      key,
    });
    const withManager = 'manager' in COMMANDS;
    const adminPub = join(topo.runDir, 'admin.pub');
    writeFileSync(adminPub, publicPem);
    const swarm = withManager
      ? await startManagerSwarm(topo, await buildCliBundle(join(topo.runDir, 'cli')), adminPub)
      : await startBtSwarm(topo, upd);
    const roots = new Map([['transmission-daemon', pidOf(topo, 'transmission-n01')]]);
    if (withManager) roots.set('manager (bundled CLI, as packaged)', pidOf(topo, 'manager-n01'));
    else roots.set('node-baseline (peer tracker: Node 20 + tsx + http)', pidOf(topo, 'tracker-n01'));
    log(`idle: sampling ${[...roots.keys()].join(', ')} for ${o.seconds} s`);
    const idle = await sample(roots, o.seconds);
    log('download: publish, sampling');
    if (withManager) publishViaInbox(topo, upd);
    else await publishBt(swarm, topo.plan.origin, upd);
    const node = swarm.get('n01')!.rpc;
    // sample the transfer itself, not Transmission's ~12 s wait for the first byte
    const waitedMs = await waitUntil(
      'first byte on the node',
      async () => (await downloaded(node, upd.infoHash)) > 0,
      90_000,
      250,
    );
    const seedRoots = new Map([
      ...roots,
      ['origin transmission-daemon (seeding)', pidOf(topo, 'transmission-origin')],
    ]);
    const before = await topo.linkBytes(topo.plan.nodes[0]!);
    const busy = await sample(seedRoots, o.seconds);
    const after = await topo.linkBytes(topo.plan.nodes[0]!);
    const downMbit = ((after.down - before.down) * 8) / o.seconds / 1e6;
    ok = true;
    return {
      agents: agentsPresent()
        ? 'manager and natm present, but this version of the bench measures the manager only'
        : withManager
          ? 'manager measured (bundled CLI, natmSocket null); natm is not in this tree yet'
          : 'absent: neither manager nor natm in this tree; measured transmission-daemon and a Node 20 + tsx process as the per-process baseline',
      params: { seconds: o.seconds, rateMbit: o.rateMbit, payloadBytes: size },
      downloadSamplingStartedAfterPublishS: Math.round(waitedMs / 100) / 10,
      idle: Object.fromEntries(idle) as Record<string, Footprint>,
      download: {
        ...(Object.fromEntries(busy) as Record<string, Footprint>),
        linkMbitMean: Math.round(downMbit * 10) / 10,
      },
    };
  } finally {
    await topo.destroy({ keepFiles: o.keepFiles || !ok });
  }
}
