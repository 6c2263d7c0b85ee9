/**
 * One footprint run: an origin and one node on a shaped link; the node's processes are
 * sampled for a while idle (daemons up, nothing to do), then while it downloads a
 * payload large enough to keep the link busy for the whole window.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandNames } from '../../admin-tools/cli/program.ts';

const COMMANDS = commandNames();
import { makeUpdate, newAdminKey } from '../../test/e2e/harness/update-files.ts';
import type { TransmissionRpc } from '../../test/e2e/harness/transmission-rpc.ts';
import { waitUntil } from '../../test/e2e/harness/wait.ts';
import { StarTopology } from '../net/star-topology.ts';
import { buildCliBundle } from '../lib/bundle.ts';
import { publishBt, startBtSwarm } from '../propagation/bt-swarm.ts';
import { publishViaInbox, startManagerSwarm } from '../propagation/manager-swarm.ts';
import { newClusterKey, startNatm, startRendezvous } from './overlay.ts';
import { sample, type Footprint } from './sampler.ts';

export interface FootprintOptions {
  readonly seconds: number;
  /** Wait after start-up before the idle window (start-up is not idle). */
  readonly settleSeconds: number;
  readonly rateMbit: number;
  readonly keepFiles: boolean;
}

const log = (l: string) => process.stderr.write(`footprint: ${l}\n`);

/** manager + natm, one figure (MiB, 0.1 precision). */
function sum2(m: Map<string, Footprint>, f: (x: Footprint) => number): number {
  const a = m.get('manager');
  const b = m.get('natm');
  return Math.round(((a ? f(a) : 0) + (b ? f(b) : 0)) * 10) / 10;
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
    const withManager = COMMANDS.has('manager');
    const adminPub = join(topo.runDir, 'admin.pub');
    writeFileSync(adminPub, publicPem);
    const withNatm = withManager && COMMANDS.has('natm') && COMMANDS.has('rendezvous');
    const cli = withManager ? await buildCliBundle(join(topo.runDir, 'cli')) : null;
    const sockets = new Map<string, string>();
    if (cli && withNatm) {
      const key = newClusterKey();
      await startRendezvous(topo, cli, key);
      for (const h of topo.hosts) sockets.set(h.name, await startNatm(topo, cli, h, key));
    }
    const swarm = cli
      ? await startManagerSwarm(topo, cli, adminPub, {}, sockets)
      : await startBtSwarm(topo, upd);
    const roots = new Map([['transmission-daemon', pidOf(topo, 'transmission-n01')]]);
    if (withManager) roots.set('manager', pidOf(topo, 'manager-n01'));
    if (withManager) roots.set('deploy-executor', pidOf(topo, 'executor-n01'));
    if (withNatm) roots.set('natm', pidOf(topo, 'natm-n01'));
    else roots.set('node-baseline (peer tracker: Node 20 + tsx + http)', pidOf(topo, 'tracker-n01'));
    const node = swarm.get('n01')!.rpc;
    const transmission = (await node.call<{ version?: string }>('session-get', {})).version ?? 'unknown';
    log(`transmission-daemon ${transmission}; settling for ${o.settleSeconds} s after start-up`);
    await new Promise((r) => setTimeout(r, o.settleSeconds * 1000));
    log(`idle: sampling ${[...roots.keys()].join(', ')} for ${o.seconds} s`);
    const idle = await sample(roots, o.seconds);
    log('download: publish, sampling');
    if (withManager) publishViaInbox(topo, upd);
    else await publishBt(swarm, topo.plan.origin, upd);
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
      transmission,
      agents: withNatm
        ? `manager and natm (bundled CLI, as packaged); natm ${COMMANDS.has('members') ? 'with gossip, ' : ''}attached to a rendezvous on its own host and to the manager; the manager's tracker also lists the other host statically`
        : withManager
          ? 'manager measured (bundled CLI, natmSocket null); natm is not in this tree yet'
          : 'absent: neither manager nor natm in this tree; measured transmission-daemon and a Node 20 + tsx process as the per-process baseline',
      params: {
        seconds: o.seconds,
        settleSeconds: o.settleSeconds,
        rateMbit: o.rateMbit,
        payloadBytes: size,
      },
      downloadSamplingStartedAfterPublishS: Math.round(waitedMs / 100) / 10,
      ...(withNatm
        ? {
            'manager+natm idle RSS MiB': {
              mean: sum2(idle, (f) => f.rssMiB.mean),
              max: sum2(idle, (f) => f.rssMiB.max),
              peakSinceStart: sum2(idle, (f) => f.peakRssSinceStartMiB),
            },
            'manager+natm idle PSS MiB': {
              mean: sum2(idle, (f) => f.pssMiB.mean),
              max: sum2(idle, (f) => f.pssMiB.max),
              // On a device the two are the only node processes: their shared pages (the
              // node binary, libraries) are split between them, counted half in each.
              deviceEstimate: sum2(idle, (f) => f.ussMiB + f.sharedMiB / 2),
            },
          }
        : {}),
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
