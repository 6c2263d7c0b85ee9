/**
 * Pure core of the package's Transmission set-up: which `settings.json` keys make the
 * system transmission-daemon answer RPC on loopback only, with credentials, and whether
 * a stored settings file already does so. No I/O here; see transmission-setup.ts.
 */
import { createHash } from 'node:crypto';

/** What the manager needs to reach the daemon; stored in /etc/p2p-update/transmission-rpc.json. */
export interface RpcCredentials {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

export type Settings = Record<string, unknown>;

export const RPC_PORT = 9091;

/** The loopback address the daemon's RPC listens on: IPv4's, or IPv6's on an IPv6-only host. */
export type Loopback = '127.0.0.1' | '::1';

/** What `os.networkInterfaces()` gives, the fields used here. */
export type Interfaces = Record<
  string,
  Array<{ family: string | number; address: string; internal: boolean }> | undefined
>;

/**
 * ::1 on a host without any IPv4 address but loopback's and with an IPv6 one: there
 * Transmission 3.00 cannot bind 127.0.0.1 (libevent resolves it with AI_ADDRCONFIG, which
 * then yields nothing; the daemon retries "Unable to bind" forever). Else 127.0.0.1.
 */
export function rpcLoopback(ifaces: Interfaces): Loopback {
  const all = Object.values(ifaces)
    .flatMap((l) => l ?? [])
    .filter((a) => !a.internal);
  const v4 = all.some((a) => a.family === 'IPv4' || a.family === 4);
  const v6 = all.some((a) => (a.family === 'IPv6' || a.family === 6) && !/^fe[89ab]/i.test(a.address));
  return !v4 && v6 ? '::1' : '127.0.0.1';
}

export function newCredentials(
  randomBytes: (n: number) => Buffer,
  loopback: Loopback = '127.0.0.1',
): RpcCredentials {
  const host = loopback === '::1' ? '[::1]' : loopback;
  return {
    url: `http://${host}:${RPC_PORT}/transmission/rpc`,
    username: 'p2p-update',
    password: randomBytes(24).toString('base64url'),
  };
}

/** Parses a credentials file, or throws naming what is wrong. */
export function parseCredentials(text: string): RpcCredentials {
  const v = JSON.parse(text) as Partial<Record<keyof RpcCredentials, unknown>>;
  for (const key of ['url', 'username', 'password'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') throw new Error(`"${key}" must be a non-empty string`);
  }
  return { url: v.url as string, username: v.username as string, password: v.password as string };
}

/**
 * Transmission stores a password as `{` + hex SHA-1(password + salt) + salt (8 chars) once
 * it has read it; before that, as the plain text that was written.
 */
export function passwordMatches(stored: unknown, plain: string): boolean {
  if (typeof stored !== 'string') return false;
  if (!stored.startsWith('{') || stored.length < 42) return stored === plain;
  const salt = stored.slice(41);
  return (
    createHash('sha1')
      .update(plain + salt)
      .digest('hex') === stored.slice(1, 41)
  );
}

/** The loopback the credentials' URL names (what an admin may also edit there). */
export function loopbackOf(creds: RpcCredentials): Loopback {
  return /^https?:\/\/\[::1\](:|\/)/.test(creds.url) ? '::1' : '127.0.0.1';
}

function wanted(creds: RpcCredentials): Settings {
  return {
    'rpc-enabled': true,
    'rpc-bind-address': loopbackOf(creds),
    'rpc-port': RPC_PORT,
    'rpc-whitelist-enabled': true,
    'rpc-whitelist': '127.0.0.1,::1',
    'rpc-host-whitelist-enabled': true,
    'rpc-host-whitelist': 'localhost',
    'rpc-authentication-required': true,
    'rpc-username': creds.username,
  };
}

/** Settings with RPC locked to loopback and `creds`; `changed` is false when already so. */
export function lockRpc(settings: Settings, creds: RpcCredentials): { settings: Settings; changed: boolean } {
  const want = wanted(creds);
  const same = (a: unknown, b: unknown) => a === b || (typeof b === 'boolean' && a === Number(b));
  const keysOk = Object.entries(want).every(([k, v]) => same(settings[k], v));
  const passOk = passwordMatches(settings['rpc-password'], creds.password);
  if (keysOk && passOk) return { settings, changed: false };
  return { settings: { ...settings, ...want, 'rpc-password': creds.password }, changed: true };
}
