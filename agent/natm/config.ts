/**
 * natm's configuration: one zod schema for the file (defaults and a description per key;
 * docs/config/natm.md is generated from it), loaded by the one config loader into a typed,
 * deeply frozen object. Annotated example: docs/config/natm.example.json.
 */
import * as z from 'zod';
import { absPath, endpoint, flag, int, list, logLevel, num, section, text } from '../lib/config/fields.ts';
import { metricsSection } from '../lib/metrics/config.ts';
import { loadConfigFile, parseConfig, type Frozen } from '../lib/config/load.ts';
import { isPeerId } from '../lib/net/overlay-link.ts';
import { MAX_CHILDREN, MAX_INTERNALS } from '../lib/wire/messages.ts';
import { natmRules } from './config-rules.ts';
import { streamFallbackSection } from './config-stream.ts';

const endpoints = (max: number, what: string) =>
  list(endpoint(), max, `a list of at most ${max} HOST:PORT (a.b.c.d:port or [IPv6]:port)`)
    .prefault([])
    .describe(what);

export const natmFileSchema = section({
  id: text('1-32 chars of [a-z0-9._-]')
    .refine(isPeerId, { error: '1-32 chars of [a-z0-9._-]' })
    .describe("This node's id, unique in the cluster; with identityDir, its certificate's node id."),
  listen: endpoint(true).prefault('0.0.0.0:0').describe('UDP address to bind (port 0: any free port).'),
  clusterKeys: list(text('a base64 key'), 8, 'a list of at most 8 keys')
    .default([])
    .describe(
      'Cluster keys (`p2p-update natm-keygen`), the first one sends; none in certificate (open) mode.',
    ),
  rendezvous: endpoints(8, 'Rendezvous servers (HOST:PORT); none only for a bridge child (bridgeVia).'),
  stunServers: endpoints(8, 'Extra STUN servers.'),
  advertise: endpoints(MAX_INTERNALS, 'Addresses to advertise besides those learned.'),
  bridge: flag().default(false).describe('Forward for children behind a firewall (a bridge node).'),
  bridgeVia: endpoint().optional().describe('As a bridge child: the bridge to reach everything through.'),
  ipcSocket: absPath().optional().describe("The manager's IPC Unix socket (docs/protocol/ipc.md)."),
  statsSocket: absPath().optional().describe('Status socket read by `p2p-update natm-stats` and `members`.'),
  identityDir: absPath()
    .optional()
    .describe('The `p2p-update enroll` state dir: certificate sessions (docs/security.md).'),
  noticesDir: absPath()
    .optional()
    .describe('With identityDir: where revocation notices are dropped (default IDENTITY_DIR/notices).'),
  noticeScanMs: int(100, 3_600_000).default(5000).describe('How often noticesDir and node.cert are scanned.'),
  enrollServer: text('an http(s) URL')
    .regex(/^https?:\/\/[^\s]+$/, { error: 'an http(s) URL' })
    .optional()
    .describe('With identityDir: the enrollment server whose GET /crl is refreshed, and where natm renews.'),
  crlRefreshMs: int(1000, 30 * 24 * 3_600_000)
    .default(24 * 3_600_000)
    .describe('Revocation list refresh period.'),
  renewFraction: num(0.01, 0.9)
    .default(1 / 3)
    .describe("Renew at enrollServer when less than this fraction of the certificate's lifetime is left."),
  keepaliveMs: int(100, 600_000)
    .default(15_000)
    .describe('STUN + register to each rendezvous, probe to each path.'),
  pathTimeoutMs: int(200, 3_600_000)
    .optional()
    .describe(
      'A path is dead after this long without an authenticated packet (default 3 x keepaliveMs + 5000; at least 2 x keepaliveMs).',
    ),
  punchIntervalMs: int(10, 10_000).default(200).describe('Probe interval after an introduction.'),
  punchAttempts: int(1, 100).default(10).describe('Probe rounds after an introduction.'),
  maxPendingPunches: int(1, 1024).default(32).describe('Pending punches kept.'),
  maxPeers: int(1, 100_000).default(1024).describe('Peers known.'),
  unprovenPerSource: int(1, 100_000)
    .default(32)
    .describe(
      'Peers not proven by a certificate that one source (an address prefix of sourcePrefix bits) may bring into the peer book.',
    ),
  sourcePrefix: int(8, 32)
    .default(32)
    .describe('Bits of the IPv4 address that make a source for unprovenPerSource.'),
  maxPaths: int(1, 4096).default(128).describe('Live paths kept alive, most recently heard first.'),
  eagerPaths: int(0, 1024)
    .default(8)
    .describe('While fewer live paths, ask for introductions each keepalive.'),
  upgradeIntervalMs: int(1000, 3_600_000)
    .default(30_000)
    .describe('At most one introduction request per peer per interval.'),
  tablePagesPerTick: int(1, 100).default(4).describe('Session table pages asked per keepalive.'),
  maxChildren: int(0, MAX_CHILDREN).default(MAX_CHILDREN).describe('As a bridge: children served.'),
  forwardRatePerSec: int(1, 10_000)
    .default(20)
    .describe('As a bridge: packets forwarded per sender per second.'),
  forwardBurst: int(1, 10_000).default(40).describe('As a bridge: burst of forwardRatePerSec.'),
  clockSkewMaxMs: int(1000, 30 * 24 * 3_600_000)
    .default(60_000)
    .describe(
      "Warn and report (status, members) when this node's clock is further than this from the median of its peers'.",
    ),
  streamFallback: streamFallbackSection(),
  metrics: metricsSection(),
  logLevel: logLevel(),
}).describe(
  'p2p-update natm configuration (docs/protocol/natm.md). Required: id, rendezvous (or bridgeVia), and identityDir or clusterKeys; enrollServer and noticesDir need identityDir; pathTimeoutMs is at least 2 x keepaliveMs.',
);

export const natmSchema = natmFileSchema.superRefine(natmRules).transform((c) => ({
  ...c,
  pathTimeoutMs: c.pathTimeoutMs ?? 3 * c.keepaliveMs + 5000,
  streamFallback: c.streamFallback && {
    ...c.streamFallback,
    afterMs: c.streamFallback.afterMs ?? 2 * c.keepaliveMs + 5000,
    probeMs: c.streamFallback.probeMs ?? c.keepaliveMs,
  },
}));

export type NatmConfig = Frozen<z.output<typeof natmSchema>>;

/** Plain JSON in, the frozen config out, or a ConfigError naming the key. Pure. */
export function natmConfig(json: unknown): NatmConfig {
  return parseConfig(natmSchema, json);
}

export async function loadNatmConfig(path: string): Promise<NatmConfig> {
  return loadConfigFile(natmSchema, path);
}
