/** Typed readers for envelope bodies: each names the field and what it expected. */
import type { BDict } from '../metainfo/bencode-strict.ts';
import { MembershipError } from './errors.ts';

function bad(what: string, key: string, expected: string): never {
  throw new MembershipError('MALFORMED', `${what}: field "${key}" must be ${expected}`);
}

export function str(d: BDict, key: string, what: string, max = 256): string {
  const v = d[key];
  if (!(v instanceof Uint8Array) || v.length > max) bad(what, key, `a string of at most ${max} bytes`);
  const s = Buffer.from(v).toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(Buffer.from(v))) bad(what, key, 'valid UTF-8');
  return s;
}

export function bytes(d: BDict, key: string, what: string, len: number): Uint8Array {
  const v = d[key];
  if (!(v instanceof Uint8Array) || v.length !== len) bad(what, key, `${len} bytes`);
  return new Uint8Array(v);
}

export function int(d: BDict, key: string, what: string): number {
  const v = d[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(what, key, 'a non-negative integer');
  return v;
}

export function strList(d: BDict, key: string, what: string, maxItems: number): string[] {
  const v = d[key];
  if (!Array.isArray(v) || v.length > maxItems) bad(what, key, `a list of at most ${maxItems} strings`);
  return v.map((x, i) => {
    if (!(x instanceof Uint8Array) || x.length > 256) bad(what, `${key}[${i}]`, 'a string');
    return Buffer.from(x).toString('utf8');
  });
}

export function utf8(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}
