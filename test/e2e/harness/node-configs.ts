/**
 * The per-node config files of a Figure 2 cluster (pure builders; the formats are the
 * manager's and natm's own: docs/config/*.example.json). Timers are shortened so the
 * scenarios run in seconds; everything else is the documented default.
 */
import type { Enrollment } from './enrollment.ts';
import type { NodeLayout } from './node-layout.ts';
import type { Fig2Plan, NodeName } from './plan.ts';

export const RDV_PORT = 3478;
export const DEMO_URI = 'app:/opt/demo';

/** How often natm looks into its notices dir and fetches the CA's revocation list (test timers). */
export const NOTICE_SCAN_MS = 500;
export const CRL_REFRESH_MS = 30_000;

export interface ClusterSecrets {
  readonly adminPub: string;
  readonly deployScript: string;
}

/** Extra manager config: `tracker` keys and the `speed` section (bench/fig2.ts measures the levers). */
export interface ManagerOverrides {
  readonly tracker?: Record<string, unknown>;
  readonly speed?: Record<string, unknown>;
  /** Per node: more manager keys (e.g. `tags`), and the manager's environment (e.g. its clock hook). */
  readonly node?: Partial<
    Record<string, { readonly config?: Record<string, unknown>; readonly env?: Record<string, string> }>
  >;
  /** The demo deployer gets this health command (fixtures/health-demo.sh), run with OUT_DIR. */
  readonly healthScript?: string;
}

export function managerConfig(
  l: NodeLayout,
  s: ClusterSecrets,
  o: ManagerOverrides = {},
  name?: string,
): object {
  return {
    trustedKeys: [s.adminPub],
    stateDir: l.stateDir,
    inboxDir: l.inboxDir,
    transmission: { url: 'http://127.0.0.1:9091/transmission/rpc', downloadDir: l.downloadDir, pollMs: 500 },
    tracker: { host: '127.0.0.1', port: 6969, intervalS: 5, ...o.tracker },
    ...(o.speed ? { speed: o.speed } : {}),
    natmSocket: l.natmSocket,
    executorSocket: l.executorSocket,
    deploy: { timeoutMs: 60_000, maxAttempts: 3, backoffMs: 1000, backoffMaxMs: 5000 },
    logLevel: 'debug',
    ...(name === undefined ? {} : o.node?.[name]?.config),
  };
}

/** The node's deploy executor: the demo URI's script, reading the manager's files only. */
export function deployConfig(l: NodeLayout, s: ClusterSecrets, healthScript?: string): object {
  const health = healthScript
    ? { health: { path: healthScript, args: [l.deployDir], timeoutMs: 10_000, retries: 1, intervalMs: 500 } }
    : {};
  return {
    trustedKeys: [s.adminPub],
    stateDir: l.executorDir,
    socket: l.executorSocket,
    inputDirs: [l.stateDir, l.downloadDir],
    deployers: { [DEMO_URI]: { type: 'script', path: s.deployScript, args: [l.deployDir], ...health } },
    deploy: { timeoutMs: 30_000 },
    logLevel: 'debug',
  };
}

/**
 * natm: every node listens on the forwarded port number (node 3's is the one the
 * firewall forwards). Node 3 is the bridge; node 4 knows no rendezvous, only node 3.
 * Enrolled: its id is its certificate's node id, gossip runs over certificate sessions,
 * and there is no cluster key (open envelope: every natm packet is signed by its sender),
 * revocation notices are dropped into IDENTITY_DIR/notices, and (nodes 1-3, which can
 * reach it) the CA's revocation list is fetched from the enrollment server.
 */
export function natmConfig(p: Fig2Plan, name: NodeName, l: NodeLayout, e: Enrollment): object {
  const node = p.nodes[name];
  const rdv = `${p.rdvIp}:${RDV_PORT}`;
  const common = {
    id: e.ids[name],
    listen: `0.0.0.0:${p.forwardedUdpPort}`,
    identityDir: l.identityDir,
    noticeScanMs: NOTICE_SCAN_MS,
    ...(name === 'n4' ? {} : { enrollServer: e.server, crlRefreshMs: CRL_REFRESH_MS }),
    advertise: [`${node.ip}:${p.forwardedUdpPort}`],
    ipcSocket: l.natmSocket,
    statsSocket: l.statsSocket,
    keepaliveMs: 2000,
    logLevel: 'debug',
  };
  if (name === 'n4') return { ...common, bridgeVia: `${p.nodes.n3.ip}:${p.forwardedUdpPort}` };
  return { ...common, rendezvous: [rdv], stunServers: [rdv], bridge: name === 'n3' };
}

export function rendezvousConfig(p: Fig2Plan, statsSocket: string): object {
  return {
    id: 'rdv',
    listen: `${p.rdvIp}:${RDV_PORT}`,
    open: true, // no cluster secret: one table per cluster namespace (natm.md §Envelope)
    statsSocket,
    sessionTtlMs: 20_000,
    pushIntervalMs: 500,
    logLevel: 'debug',
  };
}
