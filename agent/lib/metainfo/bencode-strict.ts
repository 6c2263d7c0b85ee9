/**
 * Strict bencode (BEP 3) decoding: spec §Encoding. The `bencode` library decodes; we
 * then re-encode and require the very same bytes back. That one comparison rejects
 * every non-canonical form: unsorted or duplicate dict keys, leading zeros, "-0",
 * integers beyond 2^53, non-UTF-8 dict keys and trailing bytes.
 */
import bencode from 'bencode';
import { MetadataError } from '../common/errors.ts';

export type BValue = number | Uint8Array | BValue[] | BDict;
export interface BDict {
  [key: string]: BValue;
}

export function isDict(v: unknown): v is BDict {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function decodeStrict(bytes: Uint8Array): BValue {
  let value: BValue;
  let again: Uint8Array;
  try {
    value = bencode.decode(bytes) as BValue;
    again = bencode.encode(value);
  } catch (cause) {
    // RangeError (deep nesting) and the library's own parse errors land here.
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new MetadataError('MALFORMED', `not valid bencode (${why.slice(0, 80)})`, { cause });
  }
  if (!sameBytes(again, bytes)) {
    throw new MetadataError(
      'MALFORMED',
      'not canonical bencode: unsorted or duplicate keys, leading zeros, oversized integers or trailing bytes',
    );
  }
  return value;
}

export function encode(value: unknown): Uint8Array {
  return bencode.encode(value);
}
