/**
 * The manager's configuration (STYLE.md rule 11): one zod schema for the file, with the
 * defaults and a description per key (docs/config/manager.md is generated from it), loaded
 * by the one config loader (agent/lib/config/load.ts) into a typed, deeply frozen object.
 * Annotated example: docs/config/manager.example.json.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { absPath, int, list, logLevel, moved, section, text } from '../lib/config/fields.ts';
import { metricsSection } from '../lib/metrics/config.ts';
import { loadConfigFile, parseConfig, type Frozen } from '../lib/config/load.ts';
import { checkTrust, trustFields } from '../lib/config/trust-fields.ts';
import type { Peer } from '../lib/tracker/compact.ts';
import { speedSchema, SPEED_DEFAULTS } from './config-speed.ts';
import { MAX_TAGS, MAX_TAGS_BYTES, parseTags, TAG_KEY_RE, TAG_VALUE_RE } from '../lib/rollout/tags.ts';
import { bandwidthSchema } from './config-bandwidth.ts';
import { transmissionSchema, TRANSMISSION_DEFAULTS } from './config-transmission.ts';

export type { SpeedConfig } from './config-speed.ts';

export const DEFAULTS = {
  inboxIncompleteMs: 60_000,
  transmission: TRANSMISSION_DEFAULTS,
  tracker: { host: '127.0.0.1', port: 6969, intervalS: 30, fastIntervalS: 0, minIntervalS: 5 },
  executorSocket: '/run/p2p-update-deploy.sock',
  speed: SPEED_DEFAULTS,
  deploy: {
    timeoutMs: 3_600_000,
    maxAttempts: 3,
    backoffMs: 5_000,
    backoffMaxMs: 300_000,
    outputCapBytes: 65_536,
  },
  serveOnly: { maxTorrents: 4, maxBytes: 1024 * 1024 * 1024, idleMs: 3_600_000 },
  logLevel: 'info',
} as const;

/** "a.b.c.d:port" (IPv4) → a tracker peer. */
export function parsePeer(s: string): Peer | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(s);
  const port = Number(m?.[2]);
  return m && isIP(m[1]!) === 4 && port >= 1 && port <= 65535 ? { ip: m[1]!, port } : null;
}

const peer = z.string({ error: '"a.b.c.d:port" (IPv4)' }).transform((s, ctx): Peer => {
  const p = parsePeer(s);
  if (p) return p;
  ctx.issues.push({ code: 'custom', message: '"a.b.c.d:port" (IPv4)', input: s });
  return z.NEVER;
});

const TAG =
  'a tag "key=value" (key: 1-16 of [a-z0-9_-], starting with a letter; value: 1-32 of [A-Za-z0-9._-])';
const tag = z.string({ error: TAG }).refine(
  (s) => {
    const eq = s.indexOf('=');
    return eq > 0 && TAG_KEY_RE.test(s.slice(0, eq)) && TAG_VALUE_RE.test(s.slice(eq + 1));
  },
  { error: TAG },
);
/** Node tags: each well-formed, keys unique, and within the state record's bound (tags.ts). */
const tags = list(tag, MAX_TAGS, `a list of at most ${MAX_TAGS} tags`).superRefine((l, ctx) => {
  try {
    parseTags(l);
  } catch (e) {
    ctx.addIssue({
      code: 'custom',
      message: `unique keys, at most ${MAX_TAGS_BYTES} bytes as k=v,k=v (${(e as Error).message.replace(/^tags(\[\d+\])?: /, '')})`,
      input: l,
    });
  }
});

const T = DEFAULTS.tracker;
const D = DEFAULTS.deploy;

export const managerSchema = section({
  ...trustFields,
  stateDir: absPath().describe('Version store (store.json) and accepted torrents. Never delete it.'),
  inboxDir: absPath().describe('Watched directory: X.torrent (+ the payload named as its info.name).'),
  inboxIncompleteMs: int(1000, 86_400_000)
    .default(DEFAULTS.inboxIncompleteMs)
    .describe(
      'An inbox torrent that ends early (a copy in progress) is kept until unchanged for this long, re-read on every change, then refused as truncated; a payload shorter than its accepted torrent says is kept, logged after this long, and matched whenever it completes.',
    ),
  transmission: transmissionSchema,
  bandwidth: bandwidthSchema,
  tracker: section({
    host: text('an IP address')
      .refine((h) => isIP(h) !== 0, { error: 'an IP address' })
      .default(T.host)
      .describe("The node's own HTTP tracker, where the daemon learns peers."),
    port: int(0, 65535).default(T.port).describe('0 picks a free port at each start.'),
    peers: list(peer, 256, 'a list of at most 256 peers')
      .prefault([])
      .describe('Static BitTorrent peers ("ip:port") listed for every torrent, besides those natm reports.'),
    intervalS: int(5, 3600).default(T.intervalS).describe('Announce interval handed to the daemon.'),
    fastIntervalS: int(0, 3600)
      .default(T.fastIntervalS)
      .describe(
        'Interval while the daemon downloads, and after its first announce; 0 = intervalS (docs/manager.md §Speed, lever A).',
      ),
    minIntervalS: int(1, 3600).default(T.minIntervalS).describe('`min interval` of every reply (lever A).'),
  })
    .prefault({})
    .describe("The node's tracker."),
  natmSocket: absPath()
    .nullable()
    .default(null)
    .describe("natm's IPC Unix socket (docs/protocol/ipc.md); null runs without the overlay."),
  executorSocket: absPath()
    .default(DEFAULTS.executorSocket)
    .describe(
      "The deploy executor's socket (docs/deploy-executor.md): which URIs are accepted, and how each is deployed, is the executor's config; the manager only asks.",
    ),
  deployers: moved("deployers are the deploy executor's (/etc/p2p-update/deploy.json), not the manager's"),
  deploy: section({
    timeoutMs: int(100, 86_400_000)
      .default(D.timeoutMs)
      .describe("How long the manager waits for the executor's answer to one deploy request."),
    maxAttempts: int(1, 100)
      .default(D.maxAttempts)
      .describe('Attempts per version, interrupted ones included.'),
    backoffMs: int(0, 3_600_000)
      .default(D.backoffMs)
      .describe('Wait after the first failure; doubles per attempt.'),
    backoffMaxMs: int(0, 86_400_000).default(D.backoffMaxMs).describe('The longest wait between attempts.'),
    outputCapBytes: int(1024, 16 << 20)
      .default(D.outputCapBytes)
      .describe("Bytes of the deployer's output (as the executor returns it) logged."),
  })
    .prefault({})
    .describe('Deploy requests to the executor.'),
  speed: speedSchema,
  serveOnly: section({
    maxTorrents: int(0, 64)
      .default(DEFAULTS.serveOnly.maxTorrents)
      .describe('Updates served at once for neighbours while not deployed here (0: none).'),
    maxBytes: int(0, Number.MAX_SAFE_INTEGER)
      .default(DEFAULTS.serveOnly.maxBytes)
      .describe('Their payload bytes together.'),
    idleMs: int(1000, 30 * 86_400_000)
      .default(DEFAULTS.serveOnly.idleMs)
      .describe('One no neighbour needed for this long is removed with its data.'),
  })
    .prefault({})
    .describe(
      'Updates this node refuses for a reason of its own (its clock says expired, no deployer for the URI) but whose signature verifies are still fetched and seeded while a LAN neighbour or bridge child works on them (docs/manager.md §Serve-only).',
    ),
  tags: tags
    .prefault([])
    .describe(
      'This node\'s tags (docs/rollouts.md §Tags), e.g. ["ring=canary", "site=glasgow"]: carried in its state record, shown by `members`, matched by a rollout\'s target selector.',
    ),
  metrics: metricsSection(),
  logLevel: logLevel(),
})
  .superRefine(checkTrust)
  .describe('p2p-update manager configuration (docs/manager.md). Paths are absolute.');

export type ManagerConfig = Frozen<z.output<typeof managerSchema>>;

/** Plain JSON in, the frozen config out, or a ConfigError naming the key. Pure. */
export function validateConfig(json: unknown): ManagerConfig {
  return parseConfig(managerSchema, json);
}

export async function loadConfig(path: string): Promise<ManagerConfig> {
  return loadConfigFile(managerSchema, path);
}
