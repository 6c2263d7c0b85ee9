/**
 * Wiring of one natm process (STYLE.md rule 3): libsodium + keyring → sealer, one UDP
 * socket, the NatmNode, the manager IPC server and the stats socket. Returns a handle
 * whose stop() releases everything.
 */
import os from 'node:os';
import { createLogger } from '../lib/common/logger.ts';
import { systemClock } from '../lib/common/clock.ts';
import { sodium } from '../lib/crypto/sodium.ts';
import type { NatmConfig } from './config.ts';
import { Keyring } from '../lib/wire/envelope/keyring.ts';
import { ClusterKeySealer, type PacketSealer } from '../lib/wire/envelope/sealer.ts';
import { SignedFramer } from '../lib/wire/envelope/signed-framer.ts';
import { clusterNamespace } from '../lib/membership/namespace.ts';
import { readTrust } from '../lib/enrollment/node-identity.ts';
import { ensureNodeKeys } from '../lib/enrollment/node-keys.ts';
import type { Endpoint } from '../lib/net/datagram.ts';
import { canonicalIp } from '../lib/net/ip.ts';
import { attachGossip, type AttachedGossip } from '../lib/gossip/attach.ts';
import { IpcServer } from './ipc-server.ts';
import { NatmNode } from './natm-node.ts';
import { ConnectivityWatch } from './connectivity-watch.ts';
import { StatsServer } from '../lib/daemon/stats-server.ts';
import { UdpSocket } from '../lib/net/udp-socket.ts';
import { MAX_INTERNALS } from '../lib/wire/messages.ts';
import type { OverlayLink } from '../lib/net/overlay-link.ts';
import type { ClusterMembership } from '../lib/membership/cluster-membership.ts';
import { secureNatm, type SecureNatm } from './membership/secure-natm.ts';
import { MetricsServer } from '../lib/metrics/server.ts';
import { natmRegistry, type NatmMetricsSource } from './metrics.ts';

/** How often natm opens certificate sessions with peers not yet proven (identityDir). */
const CONNECT_MS = 5000;

export interface NatmProcess {
  node: NatmNode;
  /** What gossip should use: the node itself, or with `identityDir` certificate sessions over it. */
  overlay: OverlayLink;
  /** With `identityDir`: the node's membership (revocation notices and lists go here). */
  membership?: ClusterMembership;
  /** With `identityDir`: certificates, revocation notices and the CRL refresher. */
  secure?: SecureNatm;
  /** Gossip over `overlay` (publishRevocation hands an admin's notice to the cluster). */
  gossip: AttachedGossip;
  ipc: IpcServer | undefined;
  socket: UdpSocket;
  /** With `metrics` configured: the Prometheus endpoint (docs/metrics.md). */
  metrics: MetricsServer | undefined;
  /** Apply a new clusterKeys list (SIGHUP): rotation without a restart. */
  reloadKeys(keys: readonly string[]): void;
  stop(): Promise<void>;
}

/**
 * LAN endpoints to advertise: config.advertise, else the bound address, else the host's
 * addresses: IPv4 when bound to 0.0.0.0; with "::" (dual stack) IPv4 and IPv6 (not
 * link-local: those need a zone), IPv4 first.
 */
export function lanEndpoints(cfg: NatmConfig, bound: Endpoint): Endpoint[] {
  if (cfg.advertise.length) return [...cfg.advertise];
  if (bound.address !== '0.0.0.0' && bound.address !== '::') return [bound];
  const all = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !(a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)));
  const v4 = all.filter((a) => a!.family === 'IPv4');
  const v6 = bound.address === '::' ? all.filter((a) => a!.family === 'IPv6') : [];
  return [...v4, ...v6]
    .map((a) => ({ address: canonicalIp(a!.address)!, port: bound.port }))
    .slice(0, MAX_INTERNALS);
}

/**
 * Open (certificate) mode: packets signed with the node's own Ed25519 key, registered
 * under the namespace of its CA and cluster. No cluster key exists.
 */
async function openEnvelope(
  s: Awaited<ReturnType<typeof sodium>>,
  dir: string,
): Promise<{ sealer: PacketSealer; namespace: string }> {
  const { ca, cluster } = await readTrust(dir);
  const keys = await ensureNodeKeys(dir);
  const sealer = new SignedFramer(s, {
    publicKey: keys.sign.publicKey.bytes,
    secretKey: keys.sign.sodiumKey,
  });
  return { sealer, namespace: clusterNamespace(ca.publicKey, cluster) };
}

export async function startNatm(cfg: NatmConfig): Promise<NatmProcess> {
  const logger = createLogger({ level: cfg.logLevel, name: 'natm' }).child({
    component: 'natm',
    node: cfg.id,
  });
  const s = await sodium();
  const keyring = cfg.clusterKeys.length ? new Keyring(s, cfg.clusterKeys) : undefined;
  const { sealer, namespace } = keyring
    ? { sealer: new ClusterKeySealer(s, keyring), namespace: undefined }
    : await openEnvelope(s, cfg.identityDir!);
  const socket = await UdpSocket.bind(cfg.listen, logger);
  let node: NatmNode;
  try {
    const internals = lanEndpoints(cfg, socket.local());
    node = new NatmNode({ socket, sealer, clock: systemClock, logger, internals, namespace }, cfg);
  } catch (e) {
    await socket.close();
    throw e;
  }
  let secure: SecureNatm | undefined;
  try {
    if (cfg.identityDir)
      secure = await secureNatm(
        node,
        { ...cfg, identityDir: cfg.identityDir, connectMs: CONNECT_MS },
        { clock: systemClock, logger },
      );
  } catch (e) {
    await socket.close();
    throw e;
  }
  const ipc = cfg.ipcSocket
    ? new IpcServer({ logger, counters: node.counters }, { path: cfg.ipcSocket, nodeId: cfg.id })
    : undefined;
  // Gossip, anti-entropy, SWIM and the fleet view (docs/protocol/gossip.md): over certificate
  // sessions when enrolled (docs/security.md), else over natm's cluster-key links.
  const gossip = attachGossip(secure?.overlay ?? node, ipc, {
    logger,
    revocations: secure?.book,
    records: secure?.overlay.records, // state records signed by the node they describe
    init: { clockSkewMaxMs: cfg.clockSkewMaxMs },
  });
  // Say why (issue 19): conditions logged once per change, shown by status and members.
  const watch = new ConnectivityWatch(
    {
      clock: systemClock,
      logger,
      link: node,
      clocks: gossip.node.clocks,
      publish: (h) => gossip.node.local.setHealth(h),
    },
    { graceMs: cfg.pathTimeoutMs, intervalMs: cfg.keepaliveMs },
  );
  ipc?.serveMembers(() => ({ ...gossip.members(), connectivity: watch.view() }));
  const stats = cfg.statsSocket
    ? new StatsServer(cfg.statsSocket, () => ({
        ...node.stats(),
        listen: socket.local(),
        udpSendErrors: socket.sendErrors,
        connectivity: watch.view(),
        members: gossip.members().members,
        ...(secure ? { secure: secure.stats() } : {}),
      }))
    : undefined;
  const metrics = cfg.metrics
    ? new MetricsServer(
        { registry: natmRegistry(metricsSource(cfg, node, socket, gossip, secure)), logger },
        cfg.metrics.listen,
      )
    : undefined;
  try {
    await ipc?.start();
    await stats?.start();
    await metrics?.start();
    await secure?.start(gossip.node);
  } catch (e) {
    secure?.stop();
    gossip.stop();
    await socket.close();
    await ipc?.stop();
    await stats?.stop();
    await metrics?.stop();
    throw e;
  }
  node.start();
  watch.start();
  logger.info({ listen: socket.local(), rendezvous: cfg.rendezvous }, 'natm started');
  let stopped: Promise<void> | undefined;
  return {
    node,
    overlay: secure?.overlay ?? node,
    membership: secure?.membership,
    secure,
    gossip,
    ipc,
    socket,
    metrics,
    reloadKeys(keys) {
      if (!keyring) return logger.info('open mode: no cluster keys to reload');
      keyring.replace(keys);
      logger.info({ keys: keyring.size() }, 'cluster keys reloaded');
    },
    stop: () =>
      (stopped ??= (async () => {
        watch.stop();
        secure?.stop();
        gossip.stop();
        await node.stop();
        await ipc?.stop();
        await stats?.stop();
        await metrics?.stop();
        logger.info('natm stopped');
      })()),
  };
}

/** What natm's metrics read at each scrape (agent/natm/metrics.ts). */
function metricsSource(
  cfg: NatmConfig,
  node: NatmNode,
  socket: UdpSocket,
  gossip: AttachedGossip,
  secure: SecureNatm | undefined,
): NatmMetricsSource {
  return {
    counters: node.counters,
    peers: () => node.peers(),
    rendezvous: () => node.rdv.snapshot(systemClock.now(), cfg.pathTimeoutMs),
    pendingPunches: () => node.pendingPunches(),
    udpSendErrors: () => socket.sendErrors,
    members: () => gossip.members().members,
    gossip: () => ({
      node: gossip.node.counters,
      notifications: gossip.node.notifications.counters,
      membership: gossip.node.membership.counters,
    }),
    certificates: () => secure?.metricsView(),
  };
}
