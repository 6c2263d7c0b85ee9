/**
 * One fleet run: build the bed, start the rendezvous and N agents (staggered), watch the
 * overlay form, measure a steady window, publish one notification at one agent and watch
 * it spread. Everything it created goes on every path out (errors, Ctrl-C).
 */
import { join } from 'node:path';
import { parsePublicKeyPem } from '../../agent/lib/crypto/keys.ts';
import { readSocketJson } from '../../test/e2e/harness/socket-json.ts';
import { makeUpdate, newAdminKey } from '../../test/e2e/harness/update-files.ts';
import { sleep } from '../../test/e2e/harness/wait.ts';
import { buildCliBundle } from '../lib/bundle.ts';
import { cpuTicks } from '../lib/cpu-ticks.ts';
import { agentPids, newClusterKey, startAgents, startRendezvous, type Trust } from './agents.ts';
import { enrollFleet } from './enroll.ts';
import { ManagerStub } from './manager-stub.ts';
import { livePaths, readViews, rssSum, sumCounters, type AgentView } from './observe.ts';
import { formationSample, spreadSummary, type FleetOptions, type FleetTimes } from './report.ts';
import { FleetTopology } from './topology.ts';

const log = (l: string) => process.stderr.write(`natm-fleet: ${l}\n`);
const UPDATE_URI = 'app:/opt/fleet';

type RdvStats = { counters?: Record<string, number>; sessions?: number };

export async function runFleet(o: FleetOptions) {
  const topo = await FleetTopology.create({ ...o, prefix: 'p2pb-nf-', log });
  let ok = false;
  let stub: ManagerStub | undefined;
  try {
    log(`bed up: ${topo.plan.allNamespaces.length} namespaces`);
    const cli = await buildCliBundle(join(topo.runDir, 'cli'));
    const admin = await newAdminKey();
    const upd = await makeUpdate(topo.runDir, {
      name: 'update.bin',
      size: 65536,
      uri: UPDATE_URI,
      version: 1,
      key: admin.key,
    });
    const hub = new ManagerStub([parsePublicKeyPem(admin.publicPem)]);
    stub = hub;
    if (o.trust === 'cert')
      log(`enrolling ${topo.plan.agents.length} agents (p2p-update enroll in each namespace)`);
    const trust: Trust =
      o.trust === 'cert' ? { ids: await enrollFleet(topo, cli) } : { key: newClusterKey() };
    const rdvStats = await startRendezvous(topo, cli, trust);
    const rdvPid = topo.procs.get('rendezvous')!.child.pid!;
    const n = topo.plan.agents.length;
    const t: FleetTimes = { spawn: new Map(), registered: new Map(), formed: new Map(), full: new Map() };
    const sockets = new Map<string, string>();
    const timeline: ReturnType<typeof formationSample>[] = [];
    const t0 = Date.now();
    log(`starting ${n} agents, one per ${o.staggerMs} ms`);
    let spawned = false;
    const starting = startAgents(topo, cli, trust, o.staggerMs, (a, f, at) => {
      t.spawn.set(a.name, at);
      sockets.set(a.name, f.statsSocket);
      hub.attach(a.name, f.ipcSocket);
    }).then(() => (spawned = true));
    let views = new Map<string, AgentView | null>();
    while (Date.now() - t0 < o.formTimeoutS * 1000) {
      views = await readViews(sockets);
      const now = Date.now();
      for (const [name, v] of views) {
        if (!v) continue;
        if (v.registered && !t.registered.has(name)) t.registered.set(name, now);
        if (livePaths(v) >= o.k && !t.formed.has(name)) t.formed.set(name, now);
        if (v.alive >= n - 1 && !t.full.has(name)) t.full.set(name, now);
      }
      timeline.push(formationSample(t, views, now - t0, n));
      const last = timeline.at(-1)!;
      log(
        `t=${last.s} s: ${t.spawn.size} started, ${last.registered} registered, ${last.formed} with >= ${o.k} paths, ${last.full} see all`,
      );
      if (spawned && t.formed.size === n && t.registered.size === n && t.full.size === n) break;
      await sleep(o.pollMs);
    }
    await starting;
    log(`steady window: ${o.windowS} s`);
    const pids = agentPids(topo);
    const [b0, c0] = [await topo.rdvLinkBytes(), await readSocketJson<RdvStats>(rdvStats)];
    const w0 = { agents: cpuTicks(pids), rdv: cpuTicks([rdvPid]), at: Date.now() };
    await sleep(o.windowS * 1000);
    const [b1, c1] = [await topo.rdvLinkBytes(), await readSocketJson<RdvStats>(rdvStats)];
    const w1 = { agents: cpuTicks(pids), rdv: cpuTicks([rdvPid]), at: Date.now() };
    const rss = rssSum(pids);
    const rdvRss = rssSum([rdvPid]);
    const publisher = o.publisher ?? topo.plan.agents.find((a) => a.kind === 'port-restricted')!.name;
    log(`publishing at ${publisher} (${hub.connected} IPC links)`);
    const tp = Date.now();
    const id = hub.publish(publisher, upd.raw, UPDATE_URI, 1, upd.infoHash);
    while (Date.now() - tp < o.spreadTimeoutS * 1000 && hub.reached(id).size < n - 1) await sleep(100);
    const spreadWallS = (Date.now() - tp) / 1000;
    const s1 = { agents: cpuTicks(pids), rdv: cpuTicks([rdvPid]) };
    const reached = hub.reached(id);
    reached.set(publisher, tp);
    const end = await readViews(sockets);
    const rdvEnd = await readSocketJson<RdvStats>(rdvStats).catch(() => ({}) as RdvStats);
    ok = true;
    return {
      plan: topo.plan,
      t0,
      times: t,
      timeline,
      steady: { b0, b1, c0, c1, w0, w1, rss, rdvRss },
      spread: spreadSummary(reached, tp, n, publisher, s1.agents - w1.agents, s1.rdv - w1.rdv, spreadWallS),
      refused: hub.refused.length,
      end: { views: end, counters: sumCounters(end.values()), rdv: rdvEnd },
    };
  } finally {
    stub?.close();
    await topo.destroy({ keepFiles: o.keep || !ok });
    if (!ok) log(`failed; logs kept in ${topo.runDir}`);
  }
}
