/**
 * natm and the rendezvous on the star: the rendezvous (also the STUN server) on its own
 * public host, a natm per host that should have one. Configs
 * keep the documented defaults except paths, the listen port and the cluster key.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/e2e/harness/paths.ts';
import { nsRun } from '../../test/e2e/harness/run.ts';
import { waitUntil } from '../../test/e2e/harness/wait.ts';
import type { StarNode } from '../net/star-plan.ts';
import type { StarTopology } from '../net/star-topology.ts';
import type { Cli } from '../propagation/manager-swarm.ts';

export const RDV_PORT = 3478;
export const NATM_PORT = 4100;

export function newClusterKey(): string {
  return randomBytes(32).toString('base64');
}

/** natm's config for one host (pure). */
export function natmConfig(h: StarNode, dir: string, clusterKey: string, rdvIp: string): object {
  return {
    id: h.name,
    listen: `0.0.0.0:${NATM_PORT}`,
    clusterKeys: [clusterKey],
    rendezvous: [`${rdvIp}:${RDV_PORT}`],
    stunServers: [`${rdvIp}:${RDV_PORT}`],
    ipcSocket: join(dir, 'natm.sock'),
    statsSocket: join(dir, 'natm-stats.sock'),
  };
}

async function spawnAndWait(
  topo: StarTopology,
  name: string,
  ns: string,
  cli: Cli,
  args: string[],
  ready: string,
) {
  const p = topo.procs.spawn(name, ns, cli[0], [...cli[1], ...args], { cwd: REPO_ROOT });
  await waitUntil(`${name} started`, () => readFileSync(p.logFile, 'utf8').includes(ready), 60_000, 250);
}

export async function startRendezvous(topo: StarTopology, cli: Cli, clusterKey: string): Promise<void> {
  const dir = join(topo.runDir, 'rdv');
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'rendezvous.json');
  const o = topo.plan.rdv;
  writeFileSync(
    cfg,
    JSON.stringify({
      listen: `${o.ip}:${RDV_PORT}`,
      clusterKeys: [clusterKey],
      statsSocket: join(dir, 'stats.sock'),
    }),
  );
  await spawnAndWait(topo, 'rendezvous', o.ns, cli, ['rendezvous', '--config', cfg], 'rendezvous started');
}

/** Starts natm on `h`; returns its IPC socket path (the manager's natmSocket). */
export async function startNatm(
  topo: StarTopology,
  cli: Cli,
  h: StarNode,
  clusterKey: string,
): Promise<string> {
  const dir = join(topo.runDir, h.name, 'natm');
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'natm.json');
  const c = natmConfig(h, dir, clusterKey, topo.plan.rdv.ip);
  writeFileSync(cfg, JSON.stringify(c, null, 2));
  await spawnAndWait(topo, `natm-${h.name}`, h.ns, cli, ['natm', '--config', cfg], 'natm started');
  return join(dir, 'natm.sock');
}

export function natmConfigPath(topo: StarTopology, h: StarNode): string {
  return join(topo.runDir, h.name, 'natm', 'natm.json');
}

/** Members `h`'s natm sees alive with a path (itself excluded), from `p2p-update members --json`. */
export async function aliveMembers(topo: StarTopology, cli: Cli, h: StarNode): Promise<string[]> {
  const out = await nsRun(
    h.ns,
    cli[0],
    [...cli[1], 'members', '--json', '--config', natmConfigPath(topo, h)],
    {
      timeoutMs: 20_000,
    },
  );
  const doc = JSON.parse(out) as unknown;
  const list = (Array.isArray(doc) ? doc : ((doc as { members?: unknown[] }).members ?? [])) as Array<{
    id: string;
    self?: boolean;
    status?: string;
    path?: string | null;
  }>;
  return list.filter((m) => !m.self && m.status === 'alive' && m.path).map((m) => m.id);
}
