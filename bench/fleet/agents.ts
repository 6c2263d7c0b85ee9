/**
 * The rendezvous and the natm agents of the fleet bed, from the bundled CLI. Configs keep
 * the documented defaults (keepalive 15 s, table paging, rate limits) except the paths,
 * the listen port and the trust: a cluster key, or (`cert`) each agent's enrolled identity
 * (enroll.ts) with an open rendezvous; every agent gets its own directory. Agents are
 * started one every `staggerMs` (2 cores: a burst of 200 node start-ups would measure
 * the CPU queue, not natm).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/e2e/harness/paths.ts';
import { sleep, waitUntil } from '../../test/e2e/harness/wait.ts';
import type { Cli } from '../propagation/manager-swarm.ts';
import type { FleetAgent } from './plan.ts';
import type { FleetTopology } from './topology.ts';

export const RDV_PORT = 3478;
export const NATM_PORT = 4100;

export interface AgentFiles {
  readonly dir: string;
  readonly config: string;
  readonly ipcSocket: string;
  readonly statsSocket: string;
  /** `p2p-update enroll --dir`: natm's identityDir in certificate mode. */
  readonly identityDir: string;
}

/** How the agents trust each other: one cluster key, or certificates (agent name → node id). */
export type Trust = { readonly key: string } | { readonly ids: ReadonlyMap<string, string> };

export function agentFiles(runDir: string, name: string): AgentFiles {
  const dir = join(runDir, 'agents', name);
  return {
    dir,
    config: join(dir, 'natm.json'),
    ipcSocket: join(dir, 'natm.sock'),
    statsSocket: join(dir, 'stats.sock'),
    identityDir: join(dir, 'identity'),
  };
}

export const newClusterKey = (): string => randomBytes(32).toString('base64');

/** natm's config for one agent (pure). */
export function agentConfig(f: AgentFiles, name: string, trust: Trust, rdvIp: string): object {
  const id = 'key' in trust ? name : trust.ids.get(name);
  if (id === undefined) throw new Error(`${name} is not enrolled`);
  return {
    id,
    listen: `0.0.0.0:${NATM_PORT}`,
    ...('key' in trust ? { clusterKeys: [trust.key] } : { identityDir: f.identityDir }),
    rendezvous: [`${rdvIp}:${RDV_PORT}`],
    stunServers: [`${rdvIp}:${RDV_PORT}`],
    ipcSocket: f.ipcSocket,
    statsSocket: f.statsSocket,
    logLevel: 'warn',
  };
}

export async function startRendezvous(topo: FleetTopology, cli: Cli, trust: Trust): Promise<string> {
  const dir = join(topo.runDir, 'rdv');
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'rendezvous.json');
  const stats = join(dir, 'stats.sock');
  const listen = `${topo.plan.rdvIp}:${RDV_PORT}`;
  writeFileSync(
    cfg,
    JSON.stringify(
      { listen, ...('key' in trust ? { clusterKeys: [trust.key] } : { open: true }), statsSocket: stats },
      null,
      2,
    ),
  );
  const p = topo.procs.spawn(
    'rendezvous',
    topo.plan.rdvNs,
    cli[0],
    [...cli[1], 'rendezvous', '--config', cfg],
    {
      cwd: REPO_ROOT,
    },
  );
  await waitUntil(
    'rendezvous started',
    () => readFileSync(p.logFile, 'utf8').includes('rendezvous started'),
    60_000,
    250,
  );
  return stats;
}

/**
 * Starts every agent, one per `staggerMs`; `onSpawn` is told each one's start time (ms
 * since the epoch) and files. Returns when the last has been spawned.
 */
export async function startAgents(
  topo: FleetTopology,
  cli: Cli,
  trust: Trust,
  staggerMs: number,
  onSpawn: (a: FleetAgent, f: AgentFiles, at: number) => void,
): Promise<void> {
  for (const a of topo.plan.agents) {
    const f = agentFiles(topo.runDir, a.name);
    mkdirSync(f.dir, { recursive: true });
    writeFileSync(f.config, JSON.stringify(agentConfig(f, a.name, trust, topo.plan.rdvIp), null, 2));
    topo.procs.spawn(`natm-${a.name}`, a.ns, cli[0], [...cli[1], 'natm', '--config', f.config], {
      cwd: REPO_ROOT,
    });
    onSpawn(a, f, Date.now());
    await sleep(staggerMs);
  }
}

/** The pid of each running agent (`ip netns exec` execs into natm, so the child is natm). */
export function agentPids(topo: FleetTopology): number[] {
  return topo.plan.agents.flatMap((a) => topo.procs.get(`natm-${a.name}`)?.child.pid ?? []);
}
