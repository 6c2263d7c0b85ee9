/**
 * The Transmission RPC credentials the manager uses: `transmission.password` inline, or
 * read at start-up from `transmission.passwordFile`. The file is plain text (the password,
 * one line) or JSON with a "password" key, like /etc/p2p-update/transmission-rpc.json
 * that the Debian package writes (packaging/transmission-rpc.ts).
 */
import { ConfigError } from '../lib/common/errors.ts';
import type { RpcInit } from '../lib/transmission/rpc.ts';
import type { ManagerConfig } from './config.ts';
import { readCapped } from './read-capped.ts';

const MAX_FILE_BYTES = 64 * 1024;
const KEY = 'config transmission.passwordFile';

async function readFile(path: string): Promise<string> {
  let buf: Buffer;
  try {
    buf = await readCapped(path, MAX_FILE_BYTES);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`${KEY}: cannot read ${path} (${code})`, { cause });
  }
  if (buf.length > MAX_FILE_BYTES) throw new ConfigError(`${KEY}: ${path} is larger than 64 KiB`);
  return buf.toString('utf8');
}

/** The password in a password file's text, or a ConfigError saying what is wrong. */
export function passwordFromText(text: string, path: string): string {
  const t = text.trim();
  if (t.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (cause) {
      throw new ConfigError(`${KEY}: ${path} is not valid JSON (${(cause as Error).message})`, { cause });
    }
    const p = (v as { password?: unknown }).password;
    if (typeof p !== 'string' || p === '')
      throw new ConfigError(`${KEY}: ${path}: expected a non-empty string "password"`);
    return p;
  }
  if (t === '' || /[\r\n]/.test(t))
    throw new ConfigError(
      `${KEY}: ${path}: expected the password on one line, found ${t === '' ? 'nothing' : 'several lines'}`,
    );
  return t;
}

/** What the RPC client gets: the config's transmission block with the password resolved. */
export async function rpcInit(t: ManagerConfig['transmission']): Promise<RpcInit> {
  const base = { url: t.url, timeoutMs: t.timeoutMs };
  if (t.username === undefined) return base;
  const password =
    t.passwordFile === undefined
      ? (t.password ?? '')
      : passwordFromText(await readFile(t.passwordFile), t.passwordFile);
  return { ...base, username: t.username, password };
}
