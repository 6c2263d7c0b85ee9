/**
 * Typed field readers for decoded bencode. Each one names the field at fault and says
 * what was expected and what was found (spec §Fields).
 */
import { MetadataError } from '../common/errors.ts';
import { isDict, type BDict, type BValue } from './bencode-strict.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function kind(v: BValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return 'an integer';
  if (v instanceof Uint8Array) return 'a byte string';
  if (Array.isArray(v)) return 'a list';
  return 'a dictionary';
}

function bad(path: string, expected: string, v: BValue | undefined): never {
  throw new MetadataError('MALFORMED', `${path}: expected ${expected}, found ${kind(v)}`);
}

export function onlyKeys(d: BDict, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(d)) {
    if (!allowed.includes(k))
      throw new MetadataError('MALFORMED', `${path}: unknown key "${k.slice(0, 40)}"`);
  }
}

export function dictField(d: BDict, key: string, path: string): BDict {
  const v = d[key];
  return isDict(v) ? v : bad(`${path}.${key}`, 'a dictionary', v);
}

export function bytesField(d: BDict, key: string, path: string): Uint8Array {
  const v = d[key];
  return v instanceof Uint8Array ? v : bad(`${path}.${key}`, 'a byte string', v);
}

export function intField(
  d: BDict,
  key: string,
  path: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = d[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(`${path}.${key}`, 'an integer', v);
  if (v < min || v > max) {
    throw new MetadataError(
      'MALFORMED',
      `${path}.${key}: expected an integer in [${min}, ${max}], found ${v}`,
    );
  }
  return v;
}

export function textField(d: BDict, key: string, path: string, maxBytes: number): string {
  const b = bytesField(d, key, path);
  if (b.length > maxBytes) {
    throw new MetadataError(
      'MALFORMED',
      `${path}.${key}: expected at most ${maxBytes} bytes, found ${b.length}`,
    );
  }
  try {
    return utf8.decode(b);
  } catch (cause) {
    throw new MetadataError('MALFORMED', `${path}.${key}: expected UTF-8 text, found invalid bytes`, {
      cause,
    });
  }
}

export function optional<T>(d: BDict, key: string, read: () => T): T | undefined {
  return d[key] === undefined ? undefined : read();
}
