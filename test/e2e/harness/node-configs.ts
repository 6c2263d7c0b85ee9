/**
 * The per-node config files of a Figure 2 cluster (pure builders; the formats are the
 * manager's and natm's own: docs/config/*.example.json). Timers are shortened so the
 * scenarios run in seconds; everything else is the documented default.
 */
import type { Enrollment } from './enrollment.ts';
import type { NodeLayout } from './node-layout.ts';
import { hostPort, type Family, type Fig2Plan, type NodeName, type NodePlan } from './plan.ts';

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
  family: Family = 4,
): object {
  // an IPv6-only node's daemon answers RPC on ::1 (transmission.ts RPC_ON_V6_LOOPBACK)
  const rpcHost = family === 6 ? '[::1]' : '127.0.0.1';
  return {
    trustedKeys: [s.adminPub],
    stateDir: l.stateDir,
    inboxDir: l.inboxDir,
    transmission: { url: `http://${rpcHost}:9091/transmission/rpc`, downloadDir: l.downloadDir, pollMs: 500 },
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
/** The stream fallback (docs/protocol/natm.md §Stream fallback): the rendezvous' TLS key pair and its pin. */
export interface StreamFallbackFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly pin: string;
}

export const RDV_TLS_PORT = 443;

export function natmConfig(
  p: Fig2Plan,
  name: NodeName,
  l: NodeLayout,
  e: Enrollment,
  stream?: StreamFallbackFiles,
): object {
  const node = p.nodes[name];
  const port = p.forwardedUdpPort;
  // IPv6 bed: an IPv6-only node uses the rendezvous' IPv6 address; it cannot reach the
  // enrollment server (IPv4), so it was provisioned at the admin's desk like node 4.
  const rdv = hostPort(node.family === 6 ? p.rdvIp6! : p.rdvIp, RDV_PORT);
  const common = {
    id: e.ids[name],
    listen: node.family === 4 ? `0.0.0.0:${port}` : `[::]:${port}`,
    identityDir: l.identityDir,
    noticeScanMs: NOTICE_SCAN_MS,
    ...(name === 'n4' || node.family === 6 ? {} : { enrollServer: e.server, crlRefreshMs: CRL_REFRESH_MS }),
    advertise: advertised(node, port),
    ipcSocket: l.natmSocket,
    statsSocket: l.statsSocket,
    keepaliveMs: 2000,
    logLevel: 'debug',
  };
  if (name === 'n4') return { ...common, bridgeVia: hostPort(p.nodes.n3.ip, port) };
  const fallback = stream
    ? { streamFallback: { tcpPort: RDV_PORT, tlsPort: RDV_TLS_PORT, tlsPin: stream.pin } }
    : {};
  return { ...common, rendezvous: [rdv], stunServers: [rdv], bridge: name === 'n3', ...fallback };
}

/** A node's LAN endpoints: a dual-stack node advertises both (IPv4 first). */
function advertised(node: NodePlan, port: number): string[] {
  const ips = node.family === 46 ? [node.ip, node.ip6!] : [node.ip];
  return ips.map((ip) => hostPort(ip, port));
}

export function rendezvousConfig(p: Fig2Plan, statsSocket: string, stream?: StreamFallbackFiles): object {
  const tls = stream && {
    listen: `${p.rdvIp}:${RDV_TLS_PORT}`,
    certFile: stream.certFile,
    keyFile: stream.keyFile,
  };
  return {
    ...(stream ? { stream: { tcpListen: `${p.rdvIp}:${RDV_PORT}`, tls } } : {}),
    id: 'rdv',
    // IPv6 bed: dual stack on [::] (one table for IPv4-only and IPv6-only nodes)
    listen: p.rdvIp6 === null ? `${p.rdvIp}:${RDV_PORT}` : `[::]:${RDV_PORT}`,
    open: true, // no cluster secret: one table per cluster namespace (natm.md §Envelope)
    statsSocket,
    sessionTtlMs: 20_000,
    pushIntervalMs: 500,
    logLevel: 'debug',
  };
}
