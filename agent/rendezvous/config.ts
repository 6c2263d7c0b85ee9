/**
 * The rendezvous server's configuration: one zod schema for the file (defaults and a
 * description per key; docs/config/rendezvous.md is generated from it), loaded by the one
 * config loader into a typed, deeply frozen object. Annotated example:
 * docs/config/rendezvous.example.json.
 */
import * as z from 'zod';
import { absPath, endpoint, flag, int, list, logLevel, section, text } from '../lib/config/fields.ts';
import { metricsSection } from '../lib/metrics/config.ts';
import { loadConfigFile, parseConfig, type Frozen } from '../lib/config/load.ts';
import { isPeerId } from '../lib/net/overlay-link.ts';
import { MAX_ENTRIES } from '../lib/wire/messages.ts';
import { streamSection } from './config-stream.ts';

const NAME = '1-32 chars of [a-z0-9._-]';

export const rendezvousFileSchema = section({
  id: text(NAME).refine(isPeerId, { error: NAME }).default('rendezvous').describe("The server's id."),
  listen: endpoint(true)
    .prefault('0.0.0.0:3478')
    .describe('UDP address to bind (STUN and natm on one port).'),
  clusterKeys: list(text('a base64 key'), 8, 'a list of at most 8 keys')
    .default([])
    .describe('Cluster keys (`p2p-update natm-keygen`); required unless open or stunOnly.'),
  statsSocket: absPath().optional().describe('Status socket read by `p2p-update natm-stats`.'),
  sessionTtlMs: int(1000, 3_600_000)
    .default(60_000)
    .describe('A session not refreshed for this long expires.'),
  maxSessions: int(1, 1_000_000).default(10_000).describe('Live sessions kept (as many tombstones).'),
  tablePageSize: int(1, MAX_ENTRIES).default(MAX_ENTRIES).describe('Entries per table page.'),
  pushFanout: int(0, 64)
    .default(8)
    .describe('Table changes are pushed to this many random nodes per interval.'),
  pushIntervalMs: int(100, 60_000).default(1000).describe('Table push interval.'),
  relayRatePerSec: int(1, 10_000).default(20).describe('Relayed packets per sending node per second.'),
  relayBurst: int(1, 10_000).default(40).describe('Burst of relayRatePerSec.'),
  controlRatePerSec: int(1, 1000).default(5).describe('register/intro messages per node per second.'),
  controlBurst: int(1, 1000).default(20).describe('Burst of controlRatePerSec.'),
  stunRatePerSec: int(1, 100_000).default(100).describe('STUN answers per source IP per second.'),
  stunBurst: int(1, 100_000).default(200).describe('Burst of stunRatePerSec.'),
  stream: streamSection(),
  metrics: metricsSection(),
  logLevel: logLevel(),
  stunOnly: flag().default(false).describe('Answer STUN only (no cluster key needed).'),
  open: flag()
    .default(false)
    .describe('Certificate mode: no cluster key, packets signed by each sender, one table per namespace.'),
  namespaces: list(
    text(NAME).regex(/^[a-z0-9._-]{1,32}$/, { error: NAME }),
    1024,
    'a list of at most 1024 names',
  )
    .default([])
    .describe('Open mode: the cluster namespaces served (empty: any, up to maxNamespaces).'),
  maxNamespaces: int(1, 100_000)
    .default(1024)
    .describe(
      'Open mode: live namespaces at most (an empty one is removed; a full list is shared fairly between sources).',
    ),
  sourceRatePerSec: int(1, 1_000_000)
    .default(500)
    .describe('Open mode: natm packets per source IP per second let through to the signature check.'),
  sourceBurst: int(1, 1_000_000).default(1000).describe('Burst of sourceRatePerSec.'),
  sessionsPerSource: int(1, 1_000_000)
    .default(1000)
    .describe(
      'Sessions one source (an address prefix of sourcePrefix bits) may hold; beyond, its own least recently refreshed makes room.',
    ),
  namespacesPerSource: int(1, 100_000).default(4).describe('Namespaces one source may hold sessions in.'),
  sourcePrefix: int(8, 32)
    .default(32)
    .describe('Bits of the IPv4 address that make a source for sessionsPerSource and namespacesPerSource.'),
}).describe(
  'p2p-update rendezvous configuration (docs/protocol/natm.md). clusterKeys is required unless open or stunOnly, and refused when open; namespaces only when open.',
);

export const rendezvousSchema = rendezvousFileSchema.superRefine((c, ctx) => {
  const refuse = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
  if (c.open && c.clusterKeys.length > 0)
    refuse(
      'clusterKeys',
      'none in an open rendezvous, which holds no cluster key (remove clusterKeys or "open")',
    );
  if (!c.open && !c.stunOnly && c.clusterKeys.length === 0)
    refuse('clusterKeys', 'at least one key (or "open": true, or "stunOnly": true)');
  if (c.stunOnly && (c.stream.tcpListen || c.stream.tls))
    refuse('stream', 'no listener: a stunOnly rendezvous carries no natm packets');
  if (!c.open && c.namespaces.length > 0)
    refuse('namespaces', 'none: only an open rendezvous has namespaces');
});

export type RendezvousConfig = Frozen<z.output<typeof rendezvousSchema>>;

/** Plain JSON in, the frozen config out, or a ConfigError naming the key. Pure. */
export function rendezvousConfig(json: unknown): RendezvousConfig {
  return parseConfig(rendezvousSchema, json);
}

export async function loadRendezvousConfig(path: string): Promise<RendezvousConfig> {
  return loadConfigFile(rendezvousSchema, path);
}
