/** natm configuration: docs/config/natm.example.json documents every key. */
import { ConfigError } from '../lib/common/errors.ts';
import type { Endpoint } from '../lib/net/datagram.ts';
import { isPeerId } from '../lib/net/overlay-link.ts';
import { MAX_CHILDREN, MAX_INTERNALS } from '../lib/wire/messages.ts';
import {
  bool,
  endpoint,
  int,
  listenEndpoint,
  num,
  onlyKeys,
  optStr,
  type Raw,
  str,
  strList,
} from '../lib/config/config-check.ts';

export interface NatmConfig {
  readonly id: string;
  readonly listen: Endpoint;
  readonly clusterKeys: readonly string[];
  readonly rendezvous: readonly Endpoint[];
  readonly stunServers: readonly Endpoint[];
  readonly advertise: readonly Endpoint[];
  readonly bridge: boolean;
  readonly bridgeVia?: Endpoint;
  readonly ipcSocket?: string;
  readonly statsSocket?: string;
  /**
   * The `p2p-update enroll` state dir: app messages then use certificate sessions
   * (docs/security.md). Without clusterKeys this is open mode: packets are signed by the
   * node's own key and the rendezvous needs no secret (crypto/signed-framer.ts).
   */
  readonly identityDir?: string;
  /** With identityDir: where revocation notices are dropped and kept (default IDENTITY_DIR/notices). */
  readonly noticesDir?: string;
  readonly noticeScanMs: number;
  /** With identityDir: the enrollment server whose GET /crl is refreshed every crlRefreshMs. */
  readonly enrollServer?: string;
  readonly crlRefreshMs: number;
  /**
   * With identityDir: renew the certificate at enrollServer when less than this fraction of
   * its lifetime is left (checked every noticeScanMs, as is node.cert on disk).
   */
  readonly renewFraction: number;
  readonly keepaliveMs: number;
  readonly pathTimeoutMs: number;
  readonly punchIntervalMs: number;
  readonly punchAttempts: number;
  readonly maxPendingPunches: number;
  readonly maxPeers: number;
  readonly maxPaths: number;
  readonly eagerPaths: number;
  readonly upgradeIntervalMs: number;
  readonly tablePagesPerTick: number;
  readonly maxChildren: number;
  readonly forwardRatePerSec: number;
  readonly forwardBurst: number;
  readonly logLevel: string;
}

const KEYS = [
  '$comment',
  'id',
  'listen',
  'clusterKeys',
  'rendezvous',
  'stunServers',
  'advertise',
  'bridge',
  'bridgeVia',
  'ipcSocket',
  'statsSocket',
  'identityDir',
  'noticesDir',
  'noticeScanMs',
  'enrollServer',
  'crlRefreshMs',
  'renewFraction',
  'keepaliveMs',
  'pathTimeoutMs',
  'punchIntervalMs',
  'punchAttempts',
  'maxPendingPunches',
  'maxPeers',
  'maxPaths',
  'eagerPaths',
  'upgradeIntervalMs',
  'tablePagesPerTick',
  'maxChildren',
  'forwardRatePerSec',
  'forwardBurst',
  'logLevel',
];

export function natmConfig(raw: Raw): NatmConfig {
  onlyKeys(raw, KEYS, 'natm config');
  const id = str(raw, 'id');
  if (!isPeerId(id)) throw new ConfigError(`id: expected 1-32 chars of [a-z0-9._-], got "${id}"`);
  const eps = (key: string, max: number) => strList(raw, key, [], max).map((t) => endpoint(t, key));
  const keepaliveMs = int(raw, 'keepaliveMs', 15_000, 100, 600_000);
  const bridgeVia = optStr(raw, 'bridgeVia');
  const cfg: NatmConfig = {
    id,
    listen: listenEndpoint(str(raw, 'listen', '0.0.0.0:0'), 'listen'),
    clusterKeys: strList(raw, 'clusterKeys', [], 8),
    rendezvous: eps('rendezvous', 8),
    stunServers: eps('stunServers', 8),
    advertise: eps('advertise', MAX_INTERNALS),
    bridge: bool(raw, 'bridge', false),
    bridgeVia: bridgeVia === undefined ? undefined : endpoint(bridgeVia, 'bridgeVia'),
    ipcSocket: optStr(raw, 'ipcSocket'),
    statsSocket: optStr(raw, 'statsSocket'),
    identityDir: optStr(raw, 'identityDir'),
    noticesDir: optStr(raw, 'noticesDir'),
    noticeScanMs: int(raw, 'noticeScanMs', 5000, 100, 3_600_000),
    enrollServer: optStr(raw, 'enrollServer'),
    crlRefreshMs: int(raw, 'crlRefreshMs', 24 * 3_600_000, 1000, 30 * 24 * 3_600_000),
    renewFraction: num(raw, 'renewFraction', 1 / 3, 0.01, 0.9),
    keepaliveMs,
    pathTimeoutMs: int(raw, 'pathTimeoutMs', 3 * keepaliveMs + 5000, 2 * keepaliveMs, 3_600_000),
    punchIntervalMs: int(raw, 'punchIntervalMs', 200, 10, 10_000),
    punchAttempts: int(raw, 'punchAttempts', 10, 1, 100),
    maxPendingPunches: int(raw, 'maxPendingPunches', 32, 1, 1024),
    maxPeers: int(raw, 'maxPeers', 1024, 1, 100_000),
    maxPaths: int(raw, 'maxPaths', 128, 1, 4096),
    eagerPaths: int(raw, 'eagerPaths', 8, 0, 1024),
    upgradeIntervalMs: int(raw, 'upgradeIntervalMs', 30_000, 1000, 3_600_000),
    tablePagesPerTick: int(raw, 'tablePagesPerTick', 4, 1, 100),
    maxChildren: int(raw, 'maxChildren', MAX_CHILDREN, 0, MAX_CHILDREN),
    forwardRatePerSec: int(raw, 'forwardRatePerSec', 20, 1, 10_000),
    forwardBurst: int(raw, 'forwardBurst', 40, 1, 10_000),
    logLevel: str(raw, 'logLevel', 'info'),
  };
  if (cfg.enrollServer !== undefined && !/^https?:\/\/[^\s]+$/.test(cfg.enrollServer))
    throw new ConfigError(`enrollServer: expected an http(s) URL, got "${cfg.enrollServer}"`);
  if ((cfg.enrollServer ?? cfg.noticesDir) !== undefined && !cfg.identityDir)
    throw new ConfigError('enrollServer and noticesDir need identityDir (the enroll state dir)');
  if (cfg.clusterKeys.length === 0 && !cfg.identityDir)
    throw new ConfigError(
      'clusterKeys: at least one key is required, or identityDir for certificate (open) mode',
    );
  if (cfg.rendezvous.length === 0 && !cfg.bridgeVia)
    throw new ConfigError('rendezvous: at least one HOST:PORT is required (or bridgeVia for a bridge child)');
  return Object.freeze(cfg);
}
