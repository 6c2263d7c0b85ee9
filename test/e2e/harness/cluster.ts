/**
 * Cluster: p2p-update running on a Figure 2 topology. Each node namespace runs
 * transmission-daemon, natm and manager with their own config, state, inbox, deploy
 * directory and enrolled identity (certificate); the rendezvous and the enrollment server
 * run on their public host. Everything is a child of the topology's process group, so
 * Topology.destroy() (or Ctrl-C) stops it all. natm knows the nodes by their certificate
 * node ids; `ids` and `nameOf` translate to and from n1..n4.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { enrollCluster, type Enrollment } from './enrollment.ts';
import {
  deployConfig,
  managerConfig,
  natmConfig,
  rendezvousConfig,
  type ClusterSecrets,
  type ManagerOverrides,
  type StreamFallbackFiles,
} from './node-configs.ts';
import { nodeLayout, type NodeLayout } from './node-layout.ts';
import { BIN, REPO_ROOT } from './paths.ts';
import { NODE_NAMES, type NodeName } from './plan.ts';
import { nsRun, run } from './run.ts';
import { readSocketJson } from './socket-json.ts';
import type { Topology } from './topology.ts';
import { waitUntil } from './wait.ts';
import { RPC_ON_V6_LOOPBACK, startTransmission } from './transmission.ts';
import { TransmissionRpc } from './transmission-rpc.ts';

/** One row of `members --json` (agent/lib/gossip/members-view.ts), the fields the scenarios use. */
export interface Member {
  readonly id: string;
  readonly self: boolean;
  readonly status: string;
  readonly path: string | null;
  readonly lastSeen: number;
  readonly applied: Record<string, number>;
  /** Its reported conditions (connectivity and updates: agent/lib/gossip/health.ts), null without a record. */
  readonly conditions?: string[] | null;
  readonly current: { uri: string; version: number; state: string } | null;
  readonly failed?: Record<string, number>;
  readonly rolledBack?: Record<string, number>;
  readonly signed?: boolean;
}

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** The parts of natm's stats (agent/lib/daemon/stats-server.ts) the scenarios and the demo use. */
export interface NatmStats {
  readonly id: string;
  /** "cluster-key" (natm.md §Envelope) or "open" (no cluster secret: every packet signed by its sender). */
  readonly envelope: 'cluster-key' | 'open';
  /** Open envelope: the cluster namespace the node registers under at the rendezvous. */
  readonly namespace?: string;
  readonly external?: Endpoint;
  readonly children: string[];
  readonly peers: Array<{ id: string; path: string; external?: Endpoint; internal?: Endpoint }>;
  readonly counters: Record<string, number>;
  /** How natm reaches its rendezvous: 'udp', or the stream fallback in use ('tcp', 'tls'). */
  readonly transport?: 'udp' | 'tcp' | 'tls';
  /** The gossip members view, when gossip runs in natm. */
  readonly members?: Member[];
  /** With certificates (identityDir): revoked node ids and the revocation list's seq. */
  readonly secure?: {
    readonly revoked: string[];
    readonly crlSeq: number;
    readonly revocations: { accepted: number; known: number; refused: number };
  };
}

export class Cluster {
  readonly layout: Readonly<Record<NodeName, NodeLayout>>;
  readonly adminKey: string;
  /** Node name → natm id (the certificate's node id). */
  readonly ids: Readonly<Record<NodeName, string>>;

  private constructor(
    readonly topo: Topology,
    readonly secrets: ClusterSecrets,
    readonly enrollment: Enrollment,
    private readonly overrides: ManagerOverrides = {},
    private readonly stream?: StreamFallbackFiles,
  ) {
    this.layout = Object.fromEntries(NODE_NAMES.map((n) => [n, nodeLayout(topo.runDir, n)])) as Record<
      NodeName,
      NodeLayout
    >;
    this.adminKey = join(topo.runDir, 'admin.key');
    this.ids = enrollment.ids;
  }

  /**
   * Makes the admin key pair (with the admin CLI), the CA and the enrollment server (which
   * keeps running on the rendezvous host), enrolls every node, and writes every config file.
   */
  static async create(
    topo: Topology,
    overrides: ManagerOverrides = {},
    stream?: StreamFallbackFiles,
  ): Promise<Cluster> {
    await run(BIN, ['keygen', '--out', join(topo.runDir, 'admin')], { timeoutMs: 30_000 });
    const secrets: ClusterSecrets = {
      adminPub: join(topo.runDir, 'admin.pub'),
      deployScript: join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'deploy-demo.sh'),
    };
    const c = new Cluster(topo, secrets, await enrollCluster(topo), overrides, stream);
    c.writeConfigs();
    return c;
  }

  /** n1..n4 for a natm id (the id itself if it is no node of this cluster). */
  nameOf(id: string): NodeName | string {
    return NODE_NAMES.find((n) => this.ids[n] === id) ?? id;
  }

  private writeConfigs(): void {
    const p = this.topo.plan;
    for (const n of NODE_NAMES) {
      const l = this.layout[n];
      for (const d of [l.dir, l.trDir, l.downloadDir, l.stateDir, l.inboxDir, l.deployDir])
        mkdirSync(d, { recursive: true });
      writeFileSync(
        l.managerConfig,
        JSON.stringify(managerConfig(l, this.secrets, this.overrides, n, p.nodes[n].family), null, 2),
      );
      const health = this.overrides.healthScript;
      writeFileSync(l.deployConfig, JSON.stringify(deployConfig(l, this.secrets, health), null, 2));
      writeFileSync(l.natmConfig, JSON.stringify(natmConfig(p, n, l, this.enrollment, this.stream), null, 2));
    }
    mkdirSync(join(this.topo.runDir, 'rdv'), { recursive: true });
    const rdv = rendezvousConfig(p, join(this.topo.runDir, 'rdv', 'stats.sock'), this.stream);
    writeFileSync(this.rendezvousConfigPath, JSON.stringify(rdv, null, 2));
  }

  get rendezvousConfigPath(): string {
    return join(this.topo.runDir, 'rdv', 'rendezvous.json');
  }

  private spawnBin(name: string, ns: string, args: string[], env?: Record<string, string>): void {
    this.topo.procs.spawn(name, ns, BIN, args, { cwd: REPO_ROOT, ...(env ? { env } : {}) });
  }

  startRendezvous(): void {
    this.spawnBin('rendezvous', this.topo.plan.ns.rdv, ['rendezvous', '--config', this.rendezvousConfigPath]);
  }

  /** SIGKILL by default: the rendezvous host dies, it does not say goodbye. */
  async stopRendezvous(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.topo.procs.stop('rendezvous', signal);
  }

  async startNode(n: NodeName): Promise<void> {
    const node = this.topo.node(n);
    const l = this.layout[n];
    await startTransmission(this.topo, node, l.trDir, node.family === 6 ? RPC_ON_V6_LOOPBACK : {});
    // The deploy executor first: the manager asks it about every update it takes in.
    rmSync(l.executorSocket, { force: true });
    this.spawnBin(`executor-${n}`, node.ns, ['deploy-executor', '--config', l.deployConfig]);
    await waitUntil(`executor ${n} listening`, () => existsSync(l.executorSocket), 30_000);
    this.spawnBin(`natm-${n}`, node.ns, ['natm', '--config', l.natmConfig]);
    const env = this.overrides.node?.[n]?.env;
    this.spawnBin(`manager-${n}`, node.ns, ['manager', '--config', l.managerConfig], env);
  }

  /** Restarts node n's manager alone, its config file patched with `patch` (top-level keys). */
  async restartManager(n: NodeName, patch: Record<string, unknown>): Promise<void> {
    const l = this.layout[n];
    await this.topo.procs.stop(`manager-${n}`);
    const family = this.topo.node(n).family;
    const cfg = { ...(managerConfig(l, this.secrets, this.overrides, n, family) as object), ...patch };
    writeFileSync(l.managerConfig, JSON.stringify(cfg, null, 2));
    const env = this.overrides.node?.[n]?.env;
    this.spawnBin(`manager-${n}`, this.topo.node(n).ns, ['manager', '--config', l.managerConfig], env);
  }

  async stopNode(n: NodeName): Promise<void> {
    const p = this.topo.procs;
    await Promise.all([p.stop(`manager-${n}`), p.stop(`natm-${n}`), p.stop(`executor-${n}`)]);
    await Promise.all([p.stop(`transmission-${n}`), p.stop(`rpc-bridge-${n}`)]);
  }

  async start(): Promise<void> {
    this.startRendezvous();
    await Promise.all(NODE_NAMES.map((n) => this.startNode(n)));
  }

  /** `p2p-update ARGS` run inside node n's namespace; stdout. */
  cli(n: NodeName, args: readonly string[]): Promise<string> {
    return nsRun(this.topo.node(n).ns, BIN, args, { timeoutMs: 30_000 });
  }

  async cliJson<T>(n: NodeName, args: readonly string[]): Promise<T> {
    return JSON.parse(await this.cli(n, args)) as T;
  }

  /**
   * `p2p-update members --json` on node n. Pointed at natm's stats socket, which carries
   * the gossip members view (the members client accepts either socket).
   */
  async members(n: NodeName): Promise<Member[]> {
    return this.cliJson<Member[]>(n, ['members', '--json', '--socket', this.layout[n].statsSocket]);
  }

  /**
   * Waits until every node's natm knows every other node as an alive member (the
   * fleet exists before the admin publishes). Returns how long it took.
   */
  async waitOverlay(timeoutMs: number): Promise<number> {
    const known = async (n: NodeName) => {
      const m = (await this.natmStats(n)).members ?? [];
      return NODE_NAMES.every((x) => m.some((y) => y.id === this.ids[x] && y.status === 'alive'));
    };
    return waitUntil(
      'every natm to know all four nodes',
      async () => (await Promise.all(NODE_NAMES.map(known))).every(Boolean),
      timeoutMs,
    );
  }

  /**
   * natm's stats on node n (what `p2p-update natm-stats` prints): its external endpoint,
   * peers with path types, bridge children. Read from the stats socket directly: fast
   * enough to poll.
   */
  natmStats(n: NodeName): Promise<NatmStats> {
    return readSocketJson<NatmStats>(this.layout[n].statsSocket);
  }

  /**
   * Node n has cut off node `id`: it holds `id` as revoked and lists it as no live member.
   * Returns n's stats then (how it learned: `secure.revocations`), else null.
   */
  async cutOff(n: NodeName, id: string): Promise<NatmStats | null> {
    const s = await this.natmStats(n).catch(() => null);
    const listed = (s?.members ?? []).some((m) => m.id === id && m.status !== 'dead');
    return s?.secure?.revoked.includes(id) && !listed ? s : null;
  }

  /**
   * Writes every node's natm stats (peers with paths and endpoints, members, certificate
   * counters) and Transmission torrents to logs/snapshot-TAG.json: evidence for a failure.
   * Never throws.
   */
  async snapshot(tag: string): Promise<void> {
    const one = async (n: NodeName) => {
      const [natm, torrents] = await Promise.all([
        this.natmStats(n).catch((e: Error) => e.message),
        this.transmission(n)
          .call('torrent-get', { fields: ['hashString', 'name', 'percentDone', 'peers', 'peersConnected'] })
          .catch((e: Error) => e.message),
      ]);
      return [n, { id: this.ids[n], natm, torrents }];
    };
    const doc = Object.fromEntries(await Promise.all(NODE_NAMES.map(one)));
    try {
      writeFileSync(join(this.topo.runDir, 'logs', `snapshot-${tag}.json`), JSON.stringify(doc, null, 2));
    } catch {
      // best effort
    }
  }

  /** Node n's Transmission RPC (through the socat bridge in the run directory). */
  transmission(n: NodeName): TransmissionRpc {
    return new TransmissionRpc(join(this.layout[n].trDir, 'rpc.sock'));
  }

  /**
   * Hands a revocation notice file (from `p2p-update ca revoke`) to node n's natm, as the
   * admin would: copied into its notices dir (renamed in atomically; natm scans for *.revoke).
   */
  dropNotice(n: NodeName, noticePath: string): void {
    const dir = this.layout[n].noticesDir;
    const tmp = join(dir, `.${basename(noticePath)}.part`);
    copyFileSync(noticePath, tmp);
    renameSync(tmp, join(dir, basename(noticePath)));
  }

  /** Drops an update into node n's inbox: the payload first, then the torrent (renamed in atomically). */
  publish(n: NodeName, torrentPath: string, payloadPath?: string, payloadName?: string): void {
    const inbox = this.layout[n].inboxDir;
    if (payloadPath) copyFileSync(payloadPath, join(inbox, payloadName ?? basename(payloadPath)));
    const tmp = join(inbox, `.${basename(torrentPath)}.part`);
    copyFileSync(torrentPath, tmp);
    renameSync(tmp, join(inbox, basename(torrentPath)));
  }

  /** Lines `uri version sha256` the deploy script wrote on node n (one per deploy run). */
  deployed(n: NodeName): Array<{ uri: string; version: number; sha256: string }> {
    let text = '';
    try {
      text = readFileSync(join(this.layout[n].deployDir, 'deployed.log'), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [uri = '', version = '0', sha256 = ''] = l.split(' ');
        return { uri, version: Number(version), sha256 };
      });
  }

  logOf(name: string): string {
    return join(this.topo.runDir, 'logs', `${name}.log`);
  }
}
