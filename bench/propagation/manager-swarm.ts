/**
 * The p2p-update manager on every host of the star ("manager" mode, until natm lands):
 * transmission-daemon + `p2p-update deploy-executor` + `p2p-update manager` per host, with the manager's documented
 * defaults except what the lab needs — no natm (natmSocket null), so its tracker lists
 * every other host as a static peer, and the overlay's notification is simulated by
 * dropping the torrent into every inbox at publish time. Done = the deploy script ran.
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '../../test/e2e/harness/paths.ts';
import { startTransmission } from '../../test/e2e/harness/transmission.ts';
import type { MadeUpdate } from '../../test/e2e/harness/update-files.ts';
import { waitUntil } from '../../test/e2e/harness/wait.ts';
import type { StarNode } from '../net/star-plan.ts';
import type { StarTopology } from '../net/star-topology.ts';
import { peerLists, type BtSwarm } from './bt-swarm.ts';
import type { LeverConfig } from './levers.ts';

const DEPLOY_SCRIPT = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'deploy-demo.sh');

export interface HostDirs {
  readonly tr: string;
  readonly state: string;
  readonly inbox: string;
  readonly deployed: string;
  readonly config: string;
  readonly deployConfig: string;
  readonly executorSocket: string;
}

export function hostDirs(runDir: string, name: string): HostDirs {
  const d = join(runDir, name);
  return {
    tr: join(d, 'tr'),
    state: join(d, 'state'),
    inbox: join(d, 'inbox'),
    deployed: join(d, 'deployed'),
    config: join(d, 'manager.json'),
    deployConfig: join(d, 'deploy.json'),
    executorSocket: join(d, 'executor.sock'),
  };
}

/** The manager's config for one host (pure); unlisted keys keep their documented defaults. */
export function managerConfig(
  d: HostDirs,
  adminPub: string,
  peers: readonly string[],
  natmSocket: string | null = null,
  levers: LeverConfig = { speed: {}, tracker: {} },
): object {
  return {
    trustedKeys: [adminPub],
    stateDir: d.state,
    inboxDir: d.inbox,
    transmission: { url: 'http://127.0.0.1:9091/transmission/rpc', downloadDir: join(d.tr, 'dl') },
    tracker: { host: '127.0.0.1', port: 6969, peers, ...levers.tracker },
    natmSocket,
    executorSocket: d.executorSocket,
    speed: levers.speed,
    logLevel: process.env['P2PB_LOG_LEVEL'] ?? 'info',
  };
}

/** The host's deploy executor: runs the demo script for app:/ (pure). */
export function deployConfig(d: HostDirs, adminPub: string): object {
  return {
    trustedKeys: [adminPub],
    stateDir: join(d.state, '..', 'executor'),
    socket: d.executorSocket,
    inputDirs: [d.state, join(d.tr, 'dl')],
    deployers: { 'app:/': { type: 'script', path: DEPLOY_SCRIPT, args: [d.deployed] } },
    logLevel: 'info',
  };
}

/** How to run the CLI: [command, leading args] (the bundled build, see lib/bundle.ts). */
export type Cli = readonly [string, readonly string[]];

async function startHost(
  topo: StarTopology,
  h: StarNode,
  cli: Cli,
  adminPub: string,
  peers: string[],
  trSettings: object,
  natmSocket: string | null,
  levers?: LeverConfig,
) {
  const d = hostDirs(topo.runDir, h.name);
  for (const dir of [d.state, d.inbox, d.deployed]) mkdirSync(dir, { recursive: true });
  writeFileSync(d.config, JSON.stringify(managerConfig(d, adminPub, peers, natmSocket, levers), null, 2));
  writeFileSync(d.deployConfig, JSON.stringify(deployConfig(d, adminPub), null, 2));
  const tr = await startTransmission(topo, h, d.tr, trSettings);
  const x = topo.procs.spawn(
    `executor-${h.name}`,
    h.ns,
    cli[0],
    [...cli[1], 'deploy-executor', '--config', d.deployConfig],
    {
      cwd: REPO_ROOT,
    },
  );
  await waitUntil(
    `deploy executor on ${h.name}`,
    () => readFileSync(x.logFile, 'utf8').includes('deploy executor started'),
    120_000,
    250,
  );
  const m = topo.procs.spawn(
    `manager-${h.name}`,
    h.ns,
    cli[0],
    [...cli[1], 'manager', '--config', d.config],
    {
      cwd: REPO_ROOT,
    },
  );
  await waitUntil(
    `manager on ${h.name}`,
    () => readFileSync(m.logFile, 'utf8').includes('manager started'),
    120_000,
    250,
  );
  return tr;
}

export async function startManagerSwarm(
  topo: StarTopology,
  cli: Cli,
  adminPub: string,
  trSettings: object = {},
  /** natm's IPC socket per host, when natm runs there. */
  natmSockets: ReadonlyMap<string, string> = new Map(),
  /** List every other host as a static tracker peer (false: peers come from natm only). */
  staticPeers = true,
  /** The manager's speed levers (bench/propagation/levers.ts); default: the manager's defaults. */
  levers?: LeverConfig,
): Promise<BtSwarm> {
  const peers = staticPeers ? peerLists(topo.hosts) : new Map<string, string[]>();
  const swarm: BtSwarm = new Map();
  const queue = [...topo.hosts];
  const worker = async () => {
    for (let h = queue.shift(); h; h = queue.shift())
      swarm.set(
        h.name,
        await startHost(
          topo,
          h,
          cli,
          adminPub,
          peers.get(h.name) ?? [],
          trSettings,
          natmSockets.get(h.name) ?? null,
          levers,
        ),
      );
  };
  await Promise.all([worker(), worker(), worker()]);
  return swarm;
}

function drop(inbox: string, file: string): void {
  const tmp = join(inbox, `.${basename(file)}.part`);
  copyFileSync(file, tmp);
  renameSync(tmp, join(inbox, basename(file)));
}

/** Publish: payload + torrent into the origin's inbox, the torrent into every node's (the simulated notification). */
export function publishViaInbox(topo: StarTopology, upd: MadeUpdate): void {
  drop(hostDirs(topo.runDir, 'origin').inbox, upd.payloadPath);
  for (const h of topo.hosts) drop(hostDirs(topo.runDir, h.name).inbox, upd.torrentPath);
}

/** Publish with the overlay: payload + torrent into the origin's inbox only; gossip does the rest. */
export function publishToOrigin(topo: StarTopology, upd: MadeUpdate): void {
  const inbox = hostDirs(topo.runDir, 'origin').inbox;
  drop(inbox, upd.payloadPath);
  drop(inbox, upd.torrentPath);
}

/** The version the deploy script last recorded on a host, or null. */
export function deployedVersion(runDir: string, name: string): number | null {
  try {
    return Number(readFileSync(join(hostDirs(runDir, name).deployed, 'current'), 'utf8').trim());
  } catch {
    return null;
  }
}
