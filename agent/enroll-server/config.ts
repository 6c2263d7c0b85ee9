/**
 * Enrollment server configuration (JSON file), validated once, immutable. Unknown keys
 * fail naming the key. Annotated example: docs/security.md §Enrollment server.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isIP } from 'node:net';
import { ConfigError } from '../lib/common/errors.ts';
import { validateLimits, type EnrollLimits } from './limits.ts';
import { normalizeAddress } from './source-address.ts';

export type PolicyMode = 'auto' | 'approve' | 'auto-then-approve';

export interface TokenSpec {
  readonly token: string;
  /** One-time tokens are spent by the first accepted request. */
  readonly once: boolean;
  /** If set, certificates requested with this token name this owner. */
  readonly owner?: string;
  readonly label: string;
}

export interface EnrollServerConfig {
  readonly caDir: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly policy: PolicyMode;
  /** For auto-then-approve: how many requests are signed automatically (default 10). */
  readonly autoLimit: number;
  readonly tokens: readonly TokenSpec[];
  readonly adminPasswordHash: string;
  readonly sessionTtlMinutes: number;
  /** Mark the session cookie Secure (on with tls; set it behind an HTTPS reverse proxy). */
  readonly secureCookie: boolean;
  /**
   * Notices dirs of natm processes on this host: a revocation from the admin page also
   * drops its notice there (notice-drop.ts), so gossip spreads it in seconds. Default [].
   */
  readonly noticesDirs: readonly string[];
  /** Per-source and global bounds on sign-ins, token guesses and pending requests. */
  readonly limits: EnrollLimits;
  /**
   * Addresses of reverse proxies in front of the server: from these (only), the last
   * X-Forwarded-For entry is the client's address for the per-source limits. Default [].
   */
  readonly trustedProxies: readonly string[];
}

/** At most this many `trustedProxies`. */
export const MAX_TRUSTED_PROXIES = 16;

/** At most this many `noticesDirs`. */
export const MAX_NOTICES_DIRS = 16;

const KEYS = [
  'caDir',
  'listen',
  'tls',
  'policy',
  'autoLimit',
  'tokens',
  'adminPasswordHash',
  'sessionTtlMinutes',
  'secureCookie',
  'noticesDirs',
  'limits',
  'trustedProxies',
];

function need(cond: boolean, key: string, expected: string): asserts cond {
  if (!cond) throw new ConfigError(`enroll-server config: "${key}" must be ${expected}`);
}

export function validateConfig(raw: unknown, baseDir = '.'): EnrollServerConfig {
  need(typeof raw === 'object' && raw !== null && !Array.isArray(raw), '(top)', 'an object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KEYS.includes(k)) throw new ConfigError(`enroll-server config: unknown key "${k}"`);
  need(typeof o['caDir'] === 'string' && o['caDir'] !== '', 'caDir', 'a directory path');
  const listen = (o['listen'] ?? { host: '127.0.0.1', port: 8470 }) as Record<string, unknown>;
  need(typeof listen['host'] === 'string', 'listen.host', 'a host name or address');
  need(
    Number.isInteger(listen['port']) && (listen['port'] as number) >= 0 && (listen['port'] as number) < 65536,
    'listen.port',
    'a port 0-65535',
  );
  const policy = o['policy'] ?? 'approve';
  need(
    policy === 'auto' || policy === 'approve' || policy === 'auto-then-approve',
    'policy',
    '"auto", "approve" or "auto-then-approve"',
  );
  const autoLimit = o['autoLimit'] ?? 10;
  need(Number.isInteger(autoLimit) && (autoLimit as number) >= 0, 'autoLimit', 'a non-negative integer');
  need(Array.isArray(o['tokens']) && o['tokens'].length > 0, 'tokens', 'a non-empty list');
  const tokens = (o['tokens'] as unknown[]).map((t, i): TokenSpec => {
    const r = t as Record<string, unknown>;
    need(
      typeof r?.['token'] === 'string' && r['token'].length >= 16,
      `tokens[${i}].token`,
      'a string of at least 16 characters',
    );
    need(
      r['owner'] === undefined || (typeof r['owner'] === 'string' && /^[\w.@+-]{1,128}$/.test(r['owner'])),
      `tokens[${i}].owner`,
      'a user name',
    );
    return {
      token: r['token'],
      once: r['once'] !== false,
      owner: r['owner'] as string | undefined,
      label: typeof r['label'] === 'string' ? r['label'] : `token ${i + 1}`,
    };
  });
  const labels = tokens.map((t) => t.label);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  need(
    dup === undefined,
    'tokens[].label',
    `unique (pending requests are counted per label; "${dup}" twice)`,
  );
  const proxies = o['trustedProxies'] ?? [];
  need(
    Array.isArray(proxies) &&
      proxies.length <= MAX_TRUSTED_PROXIES &&
      proxies.every((a) => typeof a === 'string' && isIP(a) !== 0),
    'trustedProxies',
    `a list of at most ${MAX_TRUSTED_PROXIES} IP addresses`,
  );
  need(
    typeof o['adminPasswordHash'] === 'string' && o['adminPasswordHash'].startsWith('scrypt$'),
    'adminPasswordHash',
    'a hash from `p2p-update enroll-server hash-password`',
  );
  const tls = o['tls'] as Record<string, unknown> | undefined;
  need(
    tls === undefined || (typeof tls['certFile'] === 'string' && typeof tls['keyFile'] === 'string'),
    'tls',
    '{ certFile, keyFile }',
  );
  const ttl = o['sessionTtlMinutes'] ?? 60;
  need(Number.isInteger(ttl) && (ttl as number) > 0, 'sessionTtlMinutes', 'a positive integer');
  const dirs = o['noticesDirs'] ?? [];
  need(
    Array.isArray(dirs) &&
      dirs.length <= MAX_NOTICES_DIRS &&
      dirs.every((d) => typeof d === 'string' && d !== ''),
    'noticesDirs',
    `a list of at most ${MAX_NOTICES_DIRS} directory paths`,
  );
  const abs = (p: string) => resolve(baseDir, p);
  return Object.freeze({
    caDir: abs(o['caDir'] as string),
    listen: { host: listen['host'] as string, port: listen['port'] as number },
    tls: tls
      ? { certFile: abs(tls['certFile'] as string), keyFile: abs(tls['keyFile'] as string) }
      : undefined,
    policy,
    autoLimit: autoLimit as number,
    tokens,
    adminPasswordHash: o['adminPasswordHash'] as string,
    sessionTtlMinutes: ttl as number,
    secureCookie: o['secureCookie'] === true || tls !== undefined,
    noticesDirs: Object.freeze([...new Set((dirs as string[]).map(abs))]),
    limits: validateLimits(o['limits']),
    trustedProxies: Object.freeze((proxies as string[]).map(normalizeAddress)),
  });
}

export async function loadConfig(path: string): Promise<EnrollServerConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new ConfigError(`enroll-server config ${path}: cannot read or not JSON`, { cause });
  }
  return validateConfig(raw, dirname(resolve(path)));
}
