/**
 * Wiring of the manager daemon (STYLE.md rule 3: concrete classes meet here and only
 * here). Start order: root of trust, store, tracker, Transmission client, manager (resumes),
 * natm client, inbox. Stop is the reverse and resolves when everything is released.
 */
import { mkdir } from 'node:fs/promises';
import type { Clock } from '../lib/common/clock.ts';
import { clockFromEnv, CLOCK_OFFSET_ENV } from '../lib/common/offset-clock.ts';
import { createLogger, type Logger } from '../lib/common/logger.ts';
import { PeerTable } from '../lib/tracker/peer-table.ts';
import { Tracker } from '../lib/tracker/tracker.ts';
import { TransmissionClient } from '../lib/transmission/client.ts';
import { BandwidthKeeper } from './bandwidth.ts';
import { readConnectivity } from './status-connectivity.ts';
import { UtpSwitch } from './utp-switch.ts';
import type { ManagerConfig } from './config.ts';
import { ControlBook } from './control-book.ts';
import type { Core } from './core.ts';
import { ExecutorClient } from './executor-client.ts';
import { Inbox } from './inbox.ts';
import { GATE_RECHECK_MS } from './driver.ts';
import { Manager } from './manager.ts';
import { ServeRun } from './serve-run.ts';
import { updateConditions } from './update-conditions.ts';
import { ManagerMetrics } from './metrics.ts';
import { MetricsServer } from '../lib/metrics/server.ts';
import type { Endpoint } from '../lib/net/datagram.ts';
import { NatmClient } from './natm-client.ts';
import type { NatmMessage } from '../lib/ipc/contract.ts';
import { natmState } from './natm-state.ts';
import { NO_NATM, type NatmPort } from './ports.ts';
import { RolloutGate } from './rollout-gate.ts';
import { rpcInit } from './rpc-password.ts';
import { formatTags, parseTags } from '../lib/rollout/tags.ts';
import { VersionStore } from './store.ts';
import { StoreError } from './store-error.ts';
import { AnnounceKicker } from './swarm/announce-kicker.ts';
import { RechokePulser } from './swarm/rechoke-pulser.ts';
import { SwarmWatch } from './swarm/swarm-watch.ts';
import { sessionScoped } from './swarm/session-scope.ts';
import { TrustState } from './trust-state.ts';

export interface Running {
  readonly trackerUrl: string;
  /** The Prometheus endpoint's address (`metrics` configured), else null. */
  readonly metricsListen: Endpoint | null;
  stop(): Promise<void>;
}

export async function startManager(
  config: ManagerConfig,
  opts: { log?: Logger; clock?: Clock; agentVersion?: string; onFatal?: (e: unknown) => void } = {},
): Promise<Running> {
  const log = opts.log ?? createLogger({ level: config.logLevel, name: 'p2p-update-manager' });
  const fromEnv = clockFromEnv();
  const clock = opts.clock ?? fromEnv.clock;
  if (opts.clock === undefined && fromEnv.offsetMs !== 0)
    log.warn({ offsetMs: fromEnv.offsetMs }, `clock shifted by ${CLOCK_OFFSET_ENV} (a test hook)`);
  const rpc = await rpcInit(config.transmission);
  for (const dir of [config.stateDir, config.inboxDir, config.transmission.downloadDir])
    await mkdir(dir, { recursive: true });
  const trust = await TrustState.open(config);
  const root = trust.root.body;
  if (config.root === null)
    log.warn(
      { keys: config.trustedKeys.length },
      'plain trusted keys, no root of trust: 1 of n, no version ceiling',
    );
  log.info(
    { rootVersion: root.version, threshold: root.update.threshold, updateKeys: root.update.keyIds.length },
    'root of trust',
  );
  const store = await VersionStore.open(config.stateDir);
  const peers = new PeerTable(config.tracker.peers);
  const tracker = new Tracker(
    { peers, log: log.child({ component: 'tracker' }), now: () => clock.now() },
    config.tracker,
  );
  await tracker.start();
  const tx = new TransmissionClient(rpc);
  const sp = config.speed;
  const swarmLog = log.child({ component: 'swarm' });
  const pulser = sp.rechoke
    ? new RechokePulser({ tx, log: swarmLog, downloadDir: config.transmission.downloadDir })
    : null;
  const sessionScope = sp.originLimitScope === 'session' && !config.bandwidth;
  if (sp.originLimitScope === 'session' && config.bandwidth)
    swarmLog.warn('speed.originLimitScope "session" ignored: the bandwidth section owns the session limits');
  const swarm = new SwarmWatch(
    { tx: sessionScope ? sessionScoped(tx) : tx, pulser, clock, log: swarmLog },
    {
      pollMs: sp.watchPollMs,
      windowMs: sp.watchWindowMs,
      rechoke: sp.rechoke ? { minGapMs: sp.rechokeMinGapMs, maxPulses: sp.rechokeMaxPulses } : null,
      shaping:
        sp.originShaping === 'off'
          ? null
          : {
              rule: sp.originShaping,
              limitKBps: sp.originLimitKBps,
              uploadFactor: sp.originUploadFactor,
              estimateFraction: sp.originEstimateFraction,
              sumFactor: sp.originSumFactor,
              starveMs: sp.originStarveMs,
              holdMs: sp.originHoldMs,
            },
    },
  );
  const kicker = sp.announceKick
    ? new AnnounceKicker({
        reannounce: (h) => tx.reannounce(h),
        history: (h) => tracker.log.get(h),
        firstGateS: async () => (await tx.traits()).firstReannounceGateS,
        clock,
        log: swarmLog,
      })
    : null;
  void tx.traits().then(
    (t) => swarmLog.info({ version: t.version, rpcVersion: t.rpcVersion }, 'transmission daemon'),
    (e: unknown) => swarmLog.warn({ err: String(e) }, 'transmission daemon version unknown yet'),
  );
  void pulser
    ?.ensure()
    .catch((e: unknown) => swarmLog.warn({ err: String(e) }, 'rechoke torrent not added yet'));
  const tags = parseTags(config.tags);
  const metrics = new ManagerMetrics(
    () => store.data.uris,
    () => tx.transferred(),
  );
  const bandwidth = config.bandwidth
    ? new BandwidthKeeper(
        { setSession: (f) => tx.setSession(f), clock, log: log.child({ component: 'bandwidth' }) },
        config.bandwidth,
      )
    : null;
  bandwidth?.start();
  const natmSocket = config.natmSocket;
  const utp = natmSocket
    ? new UtpSwitch({
        transport: async () => (await readConnectivity(natmSocket)).connectivity?.transport,
        setSession: (f) => tx.setSession(f),
        clock,
        log: log.child({ component: 'swarm' }),
      })
    : null;
  utp?.start();
  let natm: NatmPort = NO_NATM;
  const natmProxy: NatmPort = {
    relay: (m) => natm.relay(m),
    verdict: (m) => natm.verdict(m),
    have: (h, c) => natm.have(h, c),
    state: () => natm.state(),
  };
  const core: Core = {
    store,
    tx,
    natm: natmProxy,
    executor: new ExecutorClient({ path: config.executorSocket, deployTimeoutMs: config.deploy.timeoutMs }),
    clock,
    log: log.child({ component: 'manager' }),
    config,
    trust,
    trackerUrl: () => tracker.url,
    swarm,
    gate: new RolloutGate({
      tags,
      overlay: config.natmSocket !== null,
      now: () => clock.now(),
      controls: await ControlBook.open(config.stateDir),
    }),
    metrics,
  };
  let stopping: Promise<void> | null = null;
  const onFatal = (e: unknown): void => {
    log.fatal({ err: (e as Error).message }, 'manager cannot go on');
    void stop().then(() => opts.onFatal?.(e));
  };
  const serve = await ServeRun.open(core);
  const manager = new Manager(core, onFatal, serve);
  const quietMs = Math.max(60_000, config.transmission.stallMs);
  const conditionsNow = () => updateConditions(store.data, serve.book.entries(), clock.now(), quietMs);
  let told = '';
  manager.start();
  /** A store that cannot be written is fatal; anything else is this input's problem. */
  const storeFatal = (e: unknown): never => {
    if (e instanceof StoreError) onFatal(e);
    throw e;
  };
  const onMessage = (m: NatmMessage): void => {
    if (m.type === 'notification')
      void manager
        .submit(m.torrent, 'natm')
        .catch(storeFatal)
        .catch((e: unknown) =>
          log.child({ component: 'natm' }).error({ err: String(e) }, 'notification not handled'),
        );
    else if (m.type === 'members') {
      if (core.gate.onMembers(m)) manager.kickAll();
      void serve
        .onMembers(m.members, m.connectivity)
        .catch(storeFatal)
        .catch((e: unknown) =>
          log.child({ component: 'serve' }).warn({ err: String(e) }, 'serve-only step failed'),
        );
    } else if (m.type === 'peers' && peers.set(m.infoHash, m.peers)) {
      log.child({ component: 'natm' }).info({ infoHash: m.infoHash, peers: m.peers.length }, 'peers updated');
      swarm.peersNamed(m.infoHash);
      if (kicker) kicker.request(m.infoHash);
      else tx.reannounce(m.infoHash).catch(() => undefined);
    }
  };
  const natmClient =
    config.natmSocket === null
      ? null
      : new NatmClient(
          {
            clock,
            log: log.child({ component: 'natm' }),
            onMessage,
            onConnect: async (c) => {
              const rootChain = manager.currentRoot();
              if (rootChain !== null) c.relay(rootChain);
              for (const r of manager.currentControls()) c.relay(r);
              for (const r of await manager.currentTorrents()) {
                c.relay(r);
                c.have(r.infoHash, r.complete);
              }
              for (const h of serve.held()) c.have(h.infoHash, h.complete);
            },
            stateMessage: () => ({ ...natmState(store.data), conditions: conditionsNow() }),
            btPort: () => tx.peerPort(),
          },
          { path: config.natmSocket, agentVersion: opts.agentVersion ?? '0', tags: formatTags(tags) },
        );
  if (natmClient) {
    natm = natmClient;
    natmClient.start();
  }
  // While an update waits at a rollout gate, or a refused one may be needed by a neighbour
  // (serve-only), ask natm for the fleet view (a changed view wakes the drivers).
  const fleetPoll = clock.setInterval(() => {
    if (manager.gated() || serve.book.waiting) natmClient?.members();
    void serve.tick();
    const now = conditionsNow().join();
    if (now !== told) natmClient?.state(); // a condition came or went without a state change
    told = now;
  }, GATE_RECHECK_MS);
  const inbox = new Inbox(
    {
      submit: (raw, payload) => manager.submit(raw, 'inbox', payload).catch(storeFatal),
      awaiting: (name) => manager.awaitingPayload(name),
      log: log.child({ component: 'inbox' }),
    },
    { dir: config.inboxDir, settleMs: 300, incompleteMs: config.inboxIncompleteMs },
  );
  await inbox.start();
  const metricsServer = config.metrics
    ? new MetricsServer(
        { registry: metrics.registry, logger: log.child({ component: 'metrics' }) },
        config.metrics.listen,
      )
    : null;
  log.info(
    {
      stateDir: config.stateDir,
      tracker: tracker.url,
      executor: config.executorSocket,
      uris: Object.keys(store.data.uris).length,
    },
    'manager started',
  );
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      fleetPoll.cancel();
      await inbox.stop();
      await metricsServer?.stop();
      bandwidth?.stop();
      utp?.stop();
      await natmClient?.stop();
      await manager.stop();
      swarm.stop();
      kicker?.stop();
      await tracker.stop();
      log.info({}, 'manager stopped');
    })());
  try {
    await metricsServer?.start();
  } catch (e) {
    await stop();
    throw e;
  }
  return { trackerUrl: tracker.url, metricsListen: metricsServer?.local() ?? null, stop };
}
