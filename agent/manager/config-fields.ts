/**
 * Readers for untrusted JSON config values. Each one names the key at fault
 * (`transmission.pollMs`) and says what was expected and what was found. Keys that
 * start with "//" are comments and are ignored at every level.
 */
import { ConfigError } from '../lib/common/errors.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { readonly [k: string]: Json | undefined };

function found(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

export function fail(key: string, expected: string, v: unknown): never {
  throw new ConfigError(`config ${key}: expected ${expected}, found ${found(v)}`);
}

export function object(v: unknown, key: string, allowed: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(key === '' ? '(top level)' : key, 'an object', v);
  for (const k of Object.keys(v)) {
    if (k.startsWith('//')) continue;
    if (!allowed.includes(k)) {
      const name = key === '' ? k : `${key}.${k}`;
      throw new ConfigError(`config ${name}: unknown key (allowed here: ${allowed.join(', ')})`);
    }
  }
  return v as Obj;
}

export function str(o: Obj, k: string, key: string, dflt?: string): string {
  const v = o[k] ?? dflt;
  if (typeof v !== 'string' || v === '') fail(key, 'a non-empty string', o[k]);
  return v;
}

export function optStr(o: Obj, k: string, key: string): string | undefined {
  return o[k] === undefined ? undefined : str(o, k, key);
}

export function absPath(o: Obj, k: string, key: string, dflt?: string): string {
  const v = str(o, k, key, dflt);
  if (!v.startsWith('/')) fail(key, 'an absolute path', v);
  return v;
}

export function int(o: Obj, k: string, key: string, min: number, max: number, dflt?: number): number {
  const v = o[k] ?? dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
    fail(key, `an integer in [${min}, ${max}]`, o[k]);
  return v;
}

export function strList(o: Obj, k: string, key: string, dflt?: string[]): string[] {
  const v = o[k] ?? dflt;
  if (!Array.isArray(v)) fail(key, 'a list of strings', o[k]);
  return v.map((x, i) => (typeof x === 'string' && x !== '' ? x : fail(`${key}[${i}]`, 'a string', x)));
}
