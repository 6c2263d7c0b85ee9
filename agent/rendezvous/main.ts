/** Wiring of one rendezvous process: envelope (cluster key, open, or none when STUN-only), UDP socket, server, stats socket. */
import { systemClock } from '../lib/common/clock.ts';
import { createLogger } from '../lib/common/logger.ts';
import { sodium } from '../lib/crypto/sodium.ts';
import { Keyring } from '../lib/wire/envelope/keyring.ts';
import { ClusterKeySealer } from '../lib/wire/envelope/sealer.ts';
import { SignedFramer } from '../lib/wire/envelope/signed-framer.ts';
import { StatsServer } from '../lib/daemon/stats-server.ts';
import { UdpSocket } from '../lib/net/udp-socket.ts';
import { Counters } from '../lib/net/counters.ts';
import type { DatagramSocket } from '../lib/net/datagram.ts';
import { StreamSocket } from './stream-socket.ts';
import type { RendezvousConfig } from './config.ts';
import { RendezvousServer } from './server.ts';
import { MetricsServer } from '../lib/metrics/server.ts';
import { rendezvousRegistry } from './metrics.ts';

export interface RendezvousProcess {
  server: RendezvousServer;
  socket: DatagramSocket;
  /** With `stream` listeners configured: the UDP socket plus TCP/TLS (stream-socket.ts). */
  stream: StreamSocket | undefined;
  /** With `metrics` configured: the Prometheus endpoint (docs/metrics.md). */
  metrics: MetricsServer | undefined;
  /** Apply a new clusterKeys list (SIGHUP). */
  reloadKeys(keys: readonly string[]): void;
  stop(): Promise<void>;
}

export async function startRendezvous(cfg: RendezvousConfig): Promise<RendezvousProcess> {
  const logger = createLogger({ level: cfg.logLevel, name: 'rendezvous' }).child({
    component: 'rendezvous',
    node: cfg.id,
  });
  const s = await sodium();
  // Open: no cluster key; a fresh key signs what it sends (nodes know it by endpoint only).
  const keyring = cfg.stunOnly || cfg.open ? null : new Keyring(s, cfg.clusterKeys);
  const sealer = cfg.stunOnly ? null : keyring ? new ClusterKeySealer(s, keyring) : SignedFramer.ephemeral(s);
  const udp = await UdpSocket.bind(cfg.listen, logger);
  const counters = new Counters();
  const { tcpListen, tls } = cfg.stream;
  const stream =
    tcpListen || tls
      ? new StreamSocket(
          udp,
          { clock: systemClock, counters, logger },
          { ...cfg.stream, sourcePrefix: cfg.sourcePrefix },
        )
      : undefined;
  try {
    await stream?.listen({ tcp: tcpListen, tls });
  } catch (e) {
    await stream?.close();
    await udp.close();
    throw e;
  }
  const socket = stream ?? udp;
  const server = new RendezvousServer({ socket, sealer, clock: systemClock, logger, counters }, cfg);
  const stats = cfg.statsSocket
    ? new StatsServer(cfg.statsSocket, () => ({
        ...server.stats(),
        listen: socket.local(),
        ...(stream ? { streamListen: stream.streamEndpoints(), streams: stream.streams } : {}),
      }))
    : undefined;
  const registry = rendezvousRegistry({
    counters: server.counters,
    sessions: () => server.sessions(),
    namespaces: () => server.namespaceCount(),
  });
  const metrics = cfg.metrics ? new MetricsServer({ registry, logger }, cfg.metrics.listen) : undefined;
  try {
    await stats?.start();
    await metrics?.start();
  } catch (e) {
    await socket.close();
    await stats?.stop();
    throw e;
  }
  server.start();
  const streamListen = stream?.streamEndpoints();
  logger.info(
    { listen: socket.local(), streamListen, stunOnly: cfg.stunOnly, open: cfg.open },
    'rendezvous started',
  );
  let stopped: Promise<void> | undefined;
  return {
    server,
    socket,
    stream,
    metrics,
    reloadKeys(keys) {
      keyring?.replace(keys);
      logger.info({ keys: keyring?.size() ?? 0 }, 'cluster keys reloaded');
    },
    stop: () =>
      (stopped ??= (async () => {
        await server.stop();
        await stats?.stop();
        await metrics?.stop();
      })()),
  };
}
