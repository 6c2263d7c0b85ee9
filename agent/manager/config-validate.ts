/**
 * Config validation: plain JSON in, an immutable ManagerConfig out, or a ConfigError
 * naming the key. Pure: no file access (paths are checked for form only).
 */
import { isIP } from 'node:net';
import { ConfigError } from '../lib/common/errors.ts';
import { DEFAULTS, type ManagerConfig } from './config.ts';
import { absPath, fail, int, object, optStr, str, strList, type Obj } from './config-fields.ts';

const TOP = [
  'root',
  'trustedKeys',
  'stateDir',
  'inboxDir',
  'inboxIncompleteMs',
  'transmission',
  'tracker',
  'natmSocket',
  'executorSocket',
  'deploy',
  'logLevel',
];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function parsePeer(text: string, key: string): { ip: string; port: number } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || isIP(m[1]!) !== 4 || port < 1 || port > 65535) fail(key, '"a.b.c.d:port" (IPv4)', text);
  return { ip: m[1]!, port };
}

/** With a username, exactly one of `password` and `passwordFile`; without, neither. */
function rpcSecret(t: Obj, username: string | undefined): { password: string } | { passwordFile: string } {
  const password = optStr(t, 'password', 'transmission.password');
  const passwordFile =
    t['passwordFile'] === undefined ? undefined : absPath(t, 'passwordFile', 'transmission.passwordFile');
  if (username === undefined && (password ?? passwordFile) !== undefined)
    fail('transmission.username', 'a username with the password', undefined);
  if (username !== undefined && (password === undefined) === (passwordFile === undefined))
    fail(
      'transmission.password',
      'exactly one of password and passwordFile with the username',
      password ?? passwordFile,
    );
  return password !== undefined ? { password } : { passwordFile: passwordFile! };
}

export function validateConfig(json: unknown): ManagerConfig {
  if ((json as Obj | null)?.['deployers'] !== undefined)
    throw new ConfigError(
      "config deployers: deployers are the deploy executor's (/etc/p2p-update/deploy.json), not the manager's",
    );
  const top = object(json, '', TOP);
  // The root of trust (docs/adr/0003-root-of-trust.md), or plain keys (1 of n, no ceiling).
  const root = top['root'] === undefined ? null : absPath(top, 'root', 'root');
  const keys = strList(top, 'trustedKeys', 'trustedKeys', []);
  if (root !== null && keys.length > 0) fail('trustedKeys', 'nothing when "root" is given', keys);
  if (root === null && keys.length === 0)
    fail('trustedKeys', 'at least one public key path (or "root": a root chain file)', keys);
  keys.forEach((k, i) => k.startsWith('/') || fail(`trustedKeys[${i}]`, 'an absolute path', k));
  const T = DEFAULTS.transmission;
  const t = object(top['transmission'], 'transmission', [
    'url',
    'username',
    'password',
    'passwordFile',
    'downloadDir',
    'timeoutMs',
    'pollMs',
    'stallMs',
  ]);
  const url = str(t, 'url', 'transmission.url', T.url);
  if (!/^https?:\/\/[^/\s]+\/\S*$/.test(url)) fail('transmission.url', 'an http(s) URL', url);
  const username = optStr(t, 'username', 'transmission.username');
  const secret = rpcSecret(t, username);
  const tr = object(top['tracker'] ?? {}, 'tracker', ['host', 'port', 'peers', 'intervalS']);
  const host = str(tr, 'host', 'tracker.host', DEFAULTS.tracker.host);
  if (isIP(host) === 0) fail('tracker.host', 'an IP address', host);
  const peers = strList(tr, 'peers', 'tracker.peers', []);
  peers.forEach((p, i) => parsePeer(p, `tracker.peers[${i}]`));
  const D = DEFAULTS.deploy;
  const d = object(top['deploy'] ?? {}, 'deploy', Object.keys(D));
  const natm = top['natmSocket'];
  if (natm !== undefined && natm !== null) absPath(top, 'natmSocket', 'natmSocket');
  const logLevel = str(top, 'logLevel', 'logLevel', DEFAULTS.logLevel);
  if (!(LEVELS as readonly string[]).includes(logLevel)) fail('logLevel', LEVELS.join('|'), logLevel);
  const cfg: ManagerConfig = {
    root,
    trustedKeys: keys,
    stateDir: absPath(top, 'stateDir', 'stateDir'),
    inboxDir: absPath(top, 'inboxDir', 'inboxDir'),
    inboxIncompleteMs: int(
      top,
      'inboxIncompleteMs',
      'inboxIncompleteMs',
      1000,
      86_400_000,
      DEFAULTS.inboxIncompleteMs,
    ),
    transmission: {
      url,
      ...(username === undefined ? {} : { username, ...secret }),
      downloadDir: absPath(t, 'downloadDir', 'transmission.downloadDir'),
      timeoutMs: int(t, 'timeoutMs', 'transmission.timeoutMs', 100, 600_000, T.timeoutMs),
      pollMs: int(t, 'pollMs', 'transmission.pollMs', 100, 60_000, T.pollMs),
      stallMs: int(t, 'stallMs', 'transmission.stallMs', 0, 3_600_000, T.stallMs),
    },
    tracker: {
      host,
      port: int(tr, 'port', 'tracker.port', 0, 65535, DEFAULTS.tracker.port),
      peers,
      intervalS: int(tr, 'intervalS', 'tracker.intervalS', 5, 3600, DEFAULTS.tracker.intervalS),
    },
    natmSocket: typeof natm === 'string' ? natm : null,
    executorSocket: absPath(top, 'executorSocket', 'executorSocket', DEFAULTS.executorSocket),
    deploy: {
      timeoutMs: int(d, 'timeoutMs', 'deploy.timeoutMs', 100, 86_400_000, D.timeoutMs),
      maxAttempts: int(d, 'maxAttempts', 'deploy.maxAttempts', 1, 100, D.maxAttempts),
      backoffMs: int(d, 'backoffMs', 'deploy.backoffMs', 0, 3_600_000, D.backoffMs),
      backoffMaxMs: int(d, 'backoffMaxMs', 'deploy.backoffMaxMs', 0, 86_400_000, D.backoffMaxMs),
      outputCapBytes: int(d, 'outputCapBytes', 'deploy.outputCapBytes', 1024, 16 << 20, D.outputCapBytes),
    },
    logLevel: logLevel as ManagerConfig['logLevel'],
  };
  return deepFreeze(cfg);
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
