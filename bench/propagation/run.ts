/**
 * One propagation run: build the star, run p2p-update (BitTorrent layer until the agents
 * land), then the central nginx baseline on the same links, and tear everything down on
 * every path out (errors, Ctrl-C).
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeUpdate, newAdminKey } from '../../test/e2e/harness/update-files.ts';
import { fetchAll } from '../central/fetch-all.ts';
import { startNginx } from '../central/nginx.ts';
import { buildCliBundle } from '../lib/bundle.ts';
import { cpuTicks } from '../lib/cpu-ticks.ts';
import { loadAverage } from '../lib/host-info.ts';
import type { Bounds } from '../lib/kumar-ross.ts';
import type { LinkBytes, StarTopology } from '../net/star-topology.ts';
import { StarTopology as Star } from '../net/star-topology.ts';
import { publishBt, startBtSwarm } from './bt-swarm.ts';
import { aliveMembers, newClusterKey, startNatm, startRendezvous } from '../footprint/overlay.ts';
import { pool } from '../net/star-build.ts';
import { waitUntil } from '../../test/e2e/harness/wait.ts';
import { deployedVersion, publishToOrigin, publishViaInbox, startManagerSwarm } from './manager-swarm.ts';
import { buildReport, reportChart, type CentralOutcome, type P2pOutcome, type RunParams } from './report.ts';
import { watchBt } from './watch-bt.ts';
import type { LeverConfig } from './levers.ts';

export interface PropagationOptions {
  readonly nodes: number;
  readonly fileBytes: number;
  readonly rateMbit: number;
  readonly natEvery: number;
  readonly timeoutMs: number;
  readonly central: boolean;
  readonly keepFiles: boolean;
  readonly mode: 'bittorrent-only' | 'manager' | 'full-stack';
  /** transmission settings.json overrides (experiments only; default: the harness's settings). */
  readonly trSettings: object;
  /** Sign the update as a public torrent (create --public: PEX allowed); default private (BEP 27). */
  readonly publicTorrent: boolean;
  /** The manager's speed levers for this run (levers.ts). */
  readonly levers: LeverConfig;
}

const log = (l: string) => process.stderr.write(`propagation: ${l}\n`);

function delta(a: Map<string, LinkBytes>, b: Map<string, LinkBytes>): Map<string, LinkBytes> {
  return new Map(
    [...b].map(([k, v]) => [k, { up: v.up - (a.get(k)?.up ?? 0), down: v.down - (a.get(k)?.down ?? 0) }]),
  );
}

async function p2pPhase(
  topo: StarTopology,
  o: PropagationOptions,
): Promise<{ out: P2pOutcome; payload: string; name: string; transmission: string }> {
  const { key, publicPem } = await newAdminKey();
  const upd = await makeUpdate(topo.runDir, {
    name: 'payload.bin',
    size: o.fileBytes,
    uri: 'app:/opt/bench',
    version: 1,
    key,
    private: !o.publicTorrent,
  });
  const adminPub = join(topo.runDir, 'admin.pub');
  writeFileSync(adminPub, publicPem);
  const withManager = o.mode !== 'bittorrent-only';
  const full = o.mode === 'full-stack';
  const cli = withManager ? await buildCliBundle(join(topo.runDir, 'cli')) : null;
  const sockets = new Map<string, string>();
  if (cli && full) {
    const key = newClusterKey();
    log('starting the rendezvous and a natm per host');
    await startRendezvous(topo, cli, key);
    await pool(topo.hosts, 3, async (h) => void sockets.set(h.name, await startNatm(topo, cli, h, key)));
  }
  log(`starting ${topo.hosts.length} transmission-daemons and ${withManager ? 'managers' : 'peer trackers'}`);
  const swarm = cli
    ? await startManagerSwarm(topo, cli, adminPub, o.trSettings, sockets, !full, o.levers)
    : await startBtSwarm(topo, upd, o.trSettings);
  const session = await swarm.get('origin')!.rpc.call<{ version?: string }>('session-get', {});
  const transmission = session.version ?? 'unknown';
  log(`transmission-daemon ${transmission}`);
  if (cli && full) {
    const want = topo.hosts.length - 1;
    const waited = await waitUntil(
      `the origin's natm to see all ${want} nodes alive`,
      async () => (await aliveMembers(topo, cli, topo.plan.origin)).length >= want,
      180_000,
      1000,
    );
    log(`overlay converged: the origin sees ${want} members alive (${(waited / 1000).toFixed(1)} s)`);
  }
  const before = await topo.allLinkBytes();
  const pidsOf = (prefix: string) =>
    topo.hosts.flatMap((h) => topo.procs.get(`${prefix}-${h.name}`)?.child.pid ?? []);
  const cpu0 = {
    tr: cpuTicks(pidsOf('transmission')),
    mgr: cpuTicks(pidsOf('manager')),
    natm: cpuTicks(pidsOf('natm')),
  };
  const t0 = Date.now();
  log('publish');
  if (full) publishToOrigin(topo, upd);
  else if (withManager) publishViaInbox(topo, upd);
  else await publishBt(swarm, topo.plan.origin, upd);
  const nodes = new Map(topo.plan.nodes.map((n) => [n.name, swarm.get(n.name)!.rpc]));
  let lastDone = -1;
  const w = await watchBt(nodes, swarm.get('origin')!.rpc, upd.infoHash, t0, {
    timeoutMs: o.timeoutMs,
    onTick: (d) => {
      if (d !== lastDone) log(`p2p: ${d}/${nodes.size} done at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      lastDone = d;
    },
    ...(withManager ? { deployed: (n: string) => deployedVersion(topo.runDir, n) === 1 } : {}),
  });
  const wallS = (Date.now() - t0) / 1000;
  const cpu = {
    wallS,
    transmissionCpuS: (cpuTicks(pidsOf('transmission')) - cpu0.tr) / 100,
    managerCpuS: (cpuTicks(pidsOf('manager')) - cpu0.mgr) / 100,
    natmCpuS: (cpuTicks(pidsOf('natm')) - cpu0.natm) / 100,
    loadavg: loadAverage(),
  };
  const links = delta(before, await topo.allLinkBytes());
  const perNode = new Map([...w.timelines].map(([n, tl]) => [n, tl.milestones()]));
  const out: P2pOutcome = {
    perNode,
    originLinkUpBytes: links.get('origin')?.up ?? 0,
    originPayloadUpBytes: w.originUploadedBytes,
    originSeedingS: w.originSeedingS,
    originFirstUploadS: w.originFirstUploadS,
    links,
    corruptBytes: [...w.corrupt.values()].reduce((a, b) => a + b, 0),
    ...(withManager ? { deployedS: w.deployedS } : {}),
    cpu,
  };
  log('stopping the swarm');
  await Promise.all(
    topo.hosts.flatMap((h) =>
      [
        `transmission-${h.name}`,
        `rpc-bridge-${h.name}`,
        `tracker-${h.name}`,
        `manager-${h.name}`,
        `natm-${h.name}`,
      ].map((p) => topo.procs.stop(p)),
    ),
  );
  await topo.procs.stop('rendezvous');
  return { out, payload: upd.payloadPath, name: upd.name, transmission };
}

async function centralPhase(
  topo: StarTopology,
  o: PropagationOptions,
  payload: string,
): Promise<CentralOutcome> {
  const www = await startNginx(
    topo.procs,
    topo.plan.origin.ns,
    join(topo.runDir, 'nginx'),
    topo.plan.origin.ip,
  );
  copyFileSync(payload, join(www, 'payload.bin'));
  const before = await topo.allLinkBytes();
  log(`central: ${topo.plan.nodes.length} nodes fetch over HTTP at once`);
  const res = await fetchAll(topo.plan.nodes, `http://${topo.plan.origin.ip}/payload.bin`, o.timeoutMs * 2);
  const links = delta(before, await topo.allLinkBytes());
  for (const r of res)
    if (r.bytes !== o.fileBytes)
      throw new Error(`${r.node} fetched ${r.bytes} bytes, expected ${o.fileBytes}`);
  log(`central: last node done at ${Math.max(...res.map((r) => r.seconds)).toFixed(1)} s`);
  await topo.procs.stop('nginx');
  return {
    perNode: new Map(res.map((r) => [r.node, { seconds: r.seconds, firstByteS: r.firstByteS }])),
    originLinkUpBytes: links.get('origin')?.up ?? 0,
  };
}

export async function runPropagation(o: PropagationOptions, bounds: Bounds) {
  const topo = await Star.create({
    prefix: 'p2pb-p-',
    nodes: o.nodes,
    natEvery: o.natEvery,
    shape: { rateMbit: o.rateMbit },
    log,
  });
  let ok = false;
  try {
    log(`topology up: ${topo.plan.allNamespaces.length} namespaces in ${topo.runDir}`);
    const p2p = await p2pPhase(topo, o);
    const central = o.central ? await centralPhase(topo, o, p2p.payload) : null;
    const params: RunParams = {
      nodes: o.nodes,
      nattedNodes: topo.plan.nodes.filter((n) => n.router).length,
      fileBytes: o.fileBytes,
      rateMbit: o.rateMbit,
      mode: o.mode,
    };
    ok = true;
    return {
      transmission: p2p.transmission,
      report: buildReport(params, bounds, p2p.out, central),
      svg: reportChart(params, bounds, p2p.out, central),
    };
  } finally {
    await topo.destroy({ keepFiles: o.keepFiles || !ok });
    if (!ok) log(`failed; logs kept in ${topo.runDir}`);
  }
}
