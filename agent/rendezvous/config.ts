/** Rendezvous configuration: docs/config/rendezvous.example.json documents every key. */
import { ConfigError } from '../lib/common/errors.ts';
import { isPeerId } from '../lib/net/overlay-link.ts';
import type { Endpoint } from '../lib/net/datagram.ts';
import { MAX_ENTRIES } from '../lib/wire/messages.ts';
import {
  bool,
  int,
  listenEndpoint,
  onlyKeys,
  optStr,
  type Raw,
  str,
  strList,
} from '../lib/config/config-check.ts';

export interface RendezvousConfig {
  readonly id: string;
  readonly listen: Endpoint;
  readonly clusterKeys: readonly string[];
  readonly statsSocket?: string;
  readonly sessionTtlMs: number;
  readonly maxSessions: number;
  readonly tablePageSize: number;
  readonly pushFanout: number;
  readonly pushIntervalMs: number;
  readonly relayRatePerSec: number;
  readonly relayBurst: number;
  readonly controlRatePerSec: number;
  readonly controlBurst: number;
  readonly stunRatePerSec: number;
  readonly stunBurst: number;
  readonly logLevel: string;
  readonly stunOnly: boolean;
  /** Certificate mode: no cluster key; packets signed by each sender's own key; one table per namespace. */
  readonly open: boolean;
  /** Open mode: the namespaces served (empty: any, up to maxNamespaces). */
  readonly namespaces: readonly string[];
  readonly maxNamespaces: number;
  /** Open mode: natm packets per source IP address per second (and burst) let through to the signature check. */
  readonly sourceRatePerSec: number;
  readonly sourceBurst: number;
}

const KEYS = [
  '$comment',
  'id',
  'listen',
  'clusterKeys',
  'statsSocket',
  'sessionTtlMs',
  'maxSessions',
  'tablePageSize',
  'pushFanout',
  'pushIntervalMs',
  'relayRatePerSec',
  'relayBurst',
  'controlRatePerSec',
  'controlBurst',
  'stunRatePerSec',
  'stunBurst',
  'logLevel',
  'stunOnly',
  'open',
  'namespaces',
  'maxNamespaces',
  'sourceRatePerSec',
  'sourceBurst',
];

export function rendezvousConfig(raw: Raw): RendezvousConfig {
  onlyKeys(raw, KEYS, 'rendezvous config');
  const id = str(raw, 'id', 'rendezvous');
  if (!isPeerId(id)) throw new ConfigError(`id: expected 1-32 chars of [a-z0-9._-], got "${id}"`);
  const stunOnly = bool(raw, 'stunOnly', false);
  const open = bool(raw, 'open', false);
  const clusterKeys = strList(raw, 'clusterKeys', [], 8);
  if (open && clusterKeys.length)
    throw new ConfigError(
      'clusterKeys: an open rendezvous holds no cluster key (remove clusterKeys or "open")',
    );
  if (!stunOnly && !open && clusterKeys.length === 0)
    throw new ConfigError(
      'clusterKeys: at least one key is required (or set "open": true, or "stunOnly": true)',
    );
  const namespaces = strList(raw, 'namespaces', [], 1024);
  for (const ns of namespaces)
    if (!/^[a-z0-9._-]{1,32}$/.test(ns))
      throw new ConfigError(`namespaces: expected 1-32 chars of [a-z0-9._-], got "${ns}"`);
  if (namespaces.length && !open) throw new ConfigError('namespaces: only an open rendezvous has namespaces');
  return Object.freeze({
    id,
    listen: listenEndpoint(str(raw, 'listen', '0.0.0.0:3478'), 'listen'),
    clusterKeys: Object.freeze(clusterKeys),
    statsSocket: optStr(raw, 'statsSocket'),
    sessionTtlMs: int(raw, 'sessionTtlMs', 60_000, 1000, 3_600_000),
    maxSessions: int(raw, 'maxSessions', 10_000, 1, 1_000_000),
    tablePageSize: int(raw, 'tablePageSize', MAX_ENTRIES, 1, MAX_ENTRIES),
    pushFanout: int(raw, 'pushFanout', 8, 0, 64),
    pushIntervalMs: int(raw, 'pushIntervalMs', 1000, 100, 60_000),
    relayRatePerSec: int(raw, 'relayRatePerSec', 20, 1, 10_000),
    relayBurst: int(raw, 'relayBurst', 40, 1, 10_000),
    controlRatePerSec: int(raw, 'controlRatePerSec', 5, 1, 1000),
    controlBurst: int(raw, 'controlBurst', 20, 1, 1000),
    stunRatePerSec: int(raw, 'stunRatePerSec', 100, 1, 100_000),
    stunBurst: int(raw, 'stunBurst', 200, 1, 100_000),
    logLevel: str(raw, 'logLevel', 'info'),
    stunOnly,
    open,
    namespaces: Object.freeze(namespaces),
    maxNamespaces: int(raw, 'maxNamespaces', 64, 1, 100_000),
    sourceRatePerSec: int(raw, 'sourceRatePerSec', 500, 1, 1_000_000),
    sourceBurst: int(raw, 'sourceBurst', 1000, 1, 1_000_000),
  });
}
