/**
 * Wiring of one natm process (STYLE.md rule 3): libsodium + keyring → sealer, one UDP
 * socket, the NatmNode, the manager IPC server and the stats socket. Returns a handle
 * whose stop() releases everything.
 */
import os from 'node:os';
import { createLogger } from '../common/logger.ts';
import { systemClock } from '../common/clock.ts';
import { sodium } from '../crypto/sodium.ts';
import type { NatmConfig } from './config.ts';
import { Keyring } from './crypto/keyring.ts';
import { ClusterKeySealer } from './crypto/sealer.ts';
import type { Endpoint } from './datagram.ts';
import { attachGossip } from '../gossip/attach.ts';
import { IpcServer } from './ipc-server.ts';
import { NatmNode } from './natm-node.ts';
import { StatsServer } from './stats-server.ts';
import { UdpSocket } from './udp-socket.ts';
import { MAX_INTERNALS } from './wire/messages.ts';
import type { OverlayLink } from './overlay-link.ts';
import type { Membership } from '../membership/membership.ts';
import { secureOverlayFromDir } from '../enroll/secure-overlay-from-dir.ts';

export interface NatmProcess {
  node: NatmNode;
  /** What gossip should use: the node itself, or with `identityDir` certificate sessions over it. */
  overlay: OverlayLink;
  /** With `identityDir`: the node's membership (revocation notices and lists go here). */
  membership?: Membership;
  ipc: IpcServer | undefined;
  socket: UdpSocket;
  /** Apply a new clusterKeys list (SIGHUP): rotation without a restart. */
  reloadKeys(keys: readonly string[]): void;
  stop(): Promise<void>;
}

/** LAN endpoints to advertise: config.advertise, else the bound address, else the host's IPv4 addresses. */
export function lanEndpoints(cfg: NatmConfig, bound: Endpoint): Endpoint[] {
  if (cfg.advertise.length) return [...cfg.advertise];
  if (bound.address !== '0.0.0.0') return [bound];
  const addrs = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => ({ address: a!.address, port: bound.port }));
  return addrs.slice(0, MAX_INTERNALS);
}

export async function startNatm(cfg: NatmConfig): Promise<NatmProcess> {
  const logger = createLogger({ level: cfg.logLevel, name: 'natm' }).child({
    component: 'natm',
    node: cfg.id,
  });
  const s = await sodium();
  const keyring = new Keyring(s, cfg.clusterKeys);
  const sealer = new ClusterKeySealer(s, keyring);
  const socket = await UdpSocket.bind(cfg.listen, logger);
  const node = new NatmNode(
    { socket, sealer, clock: systemClock, logger, internals: lanEndpoints(cfg, socket.local()) },
    cfg,
  );
  let secure: Awaited<ReturnType<typeof secureOverlayFromDir>> | undefined;
  try {
    if (cfg.identityDir) secure = await secureOverlayFromDir(node, cfg.identityDir, systemClock);
  } catch (e) {
    await socket.close();
    throw e;
  }
  const ipc = cfg.ipcSocket
    ? new IpcServer({ logger, counters: node.counters }, { path: cfg.ipcSocket, nodeId: cfg.id })
    : undefined;
  // Gossip, anti-entropy, SWIM and the fleet view over this node (docs/protocol/gossip.md).
  const gossip = attachGossip(node, ipc, { logger });
  const stats = cfg.statsSocket
    ? new StatsServer(cfg.statsSocket, () => ({
        ...node.stats(),
        listen: socket.local(),
        udpSendErrors: socket.sendErrors,
        members: gossip.members().members,
      }))
    : undefined;
  try {
    await ipc?.start();
    await stats?.start();
  } catch (e) {
    gossip.stop();
    await socket.close();
    await ipc?.stop();
    throw e;
  }
  node.start();
  logger.info({ listen: socket.local(), rendezvous: cfg.rendezvous }, 'natm started');
  let stopped: Promise<void> | undefined;
  return {
    node,
    overlay: secure?.overlay ?? node,
    membership: secure?.membership,
    ipc,
    socket,
    reloadKeys(keys) {
      keyring.replace(keys);
      logger.info({ keys: keyring.size() }, 'cluster keys reloaded');
    },
    stop: () =>
      (stopped ??= (async () => {
        gossip.stop();
        await node.stop();
        await ipc?.stop();
        await stats?.stop();
        logger.info('natm stopped');
      })()),
  };
}
