/**
 * Strict config reading for natm and the rendezvous: a plain JSON object, every key known
 * (an unknown key fails naming it), every value typed and range-checked, defaults applied.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../common/errors.ts';
import { parseEndpoint, type Endpoint } from '../net/datagram.ts';

export type Raw = Record<string, unknown>;

export async function readJson(path: string): Promise<Raw> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config ${path}: ${(cause as Error).message}`, { cause });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`config ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return object(v, 'config');
}

export function object(v: unknown, where: string): Raw {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ConfigError(`${where}: expected an object`);
  return v as Raw;
}

export function onlyKeys(raw: Raw, known: readonly string[], where: string): void {
  for (const k of Object.keys(raw))
    if (!known.includes(k))
      throw new ConfigError(`${where}: unknown key "${k}" (known: ${known.join(', ')})`);
}

export function str(raw: Raw, key: string, dflt?: string): string {
  const v = raw[key] ?? dflt;
  if (typeof v !== 'string' || v === '')
    throw new ConfigError(`${key}: expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

export function optStr(raw: Raw, key: string): string | undefined {
  return raw[key] === undefined ? undefined : str(raw, key);
}

export function int(raw: Raw, key: string, dflt: number, min: number, max: number): number {
  const v = raw[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new ConfigError(`${key}: expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

export function num(raw: Raw, key: string, dflt: number, min: number, max: number): number {
  const v = raw[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new ConfigError(`${key}: expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

export function bool(raw: Raw, key: string, dflt: boolean): boolean {
  const v = raw[key] ?? dflt;
  if (typeof v !== 'boolean')
    throw new ConfigError(`${key}: expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

export function strList(raw: Raw, key: string, dflt: string[], max: number): string[] {
  const v = raw[key] ?? dflt;
  if (!Array.isArray(v) || v.length > max || v.some((x) => typeof x !== 'string'))
    throw new ConfigError(`${key}: expected a list of at most ${max} strings`);
  return v as string[];
}

export function endpoint(text: string, key: string): Endpoint {
  const e = parseEndpoint(text);
  if (!e) throw new ConfigError(`${key}: expected IPv4 HOST:PORT, got "${text}"`);
  return e;
}

/** Like endpoint() but port 0 is allowed (bind to any free port). */
export function listenEndpoint(text: string, key: string): Endpoint {
  const m = /^(.*):0$/.exec(text);
  return m ? { ...endpoint(`${m[1]}:1`, key), port: 0 } : endpoint(text, key);
}
