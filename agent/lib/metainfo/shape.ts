/**
 * Shape pre-check (spec §Check order, step 2, first half): one pass over the bytes, with
 * no allocation beyond two small arrays, that refuses what no valid torrent-file++ can
 * be before the bencode library builds a value for every item. A 2 MiB list of a million
 * empty strings cost ~650 MiB and a second to decode; here it stops at item 65.
 * It checks framing only (lengths, nesting, counts); canonical form is step 2's second
 * half (bencode-strict.ts).
 */
import { MetadataError } from '../common/errors.ts';

export interface ShapeBounds {
  /** Lists/dicts inside one another, the top-level dict included. */
  readonly maxDepth: number;
  /** Items of one list, entries of one dict. */
  readonly maxContainerItems: number;
  /** Values in the whole file (containers, dict keys and scalars). */
  readonly maxValues: number;
  readonly maxStringBytes: number;
  /** Characters between `i` and `e`: sign and 16 digits cover ±2^53. */
  readonly maxIntChars: number;
}

const D = 0x64; // 'd'
const E = 0x65; // 'e'
const I = 0x69; // 'i'
const L = 0x6c; // 'l'
const COLON = 0x3a;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

const bad = (why: string, at: number) =>
  new MetadataError('MALFORMED', `not valid bencode (${why} at byte ${at})`);
const big = (what: string, at: number) =>
  new MetadataError('TOO_LARGE', `bencode shape: ${what} (at byte ${at})`);

export function checkShape(b: Uint8Array, k: ShapeBounds): void {
  if (b[0] !== D) throw new MetadataError('MALFORMED', 'torrent: expected a dictionary at the top level');
  const isDict = new Uint8Array(k.maxDepth + 1);
  const items = new Uint32Array(k.maxDepth + 1);
  let depth = 0;
  let values = 0;
  let pos = 0;
  while (pos < b.length) {
    const c = b[pos]!;
    if (c === E) {
      if (depth === 0) throw bad('unexpected "e"', pos);
      if (isDict[depth] && items[depth]! % 2 === 1) throw bad('dictionary key without a value', pos);
      pos++;
      if (--depth === 0) break;
      continue;
    }
    if (depth === 0 && pos > 0) throw bad('a second top-level value', pos);
    if (depth > 0) {
      const n = ++items[depth]!;
      if (isDict[depth]) {
        if (n % 2 === 1 && !isDigit(c)) throw bad('dictionary key that is not a string', pos);
        if ((n + 1) >> 1 > k.maxContainerItems)
          throw big(`a dictionary with more than ${k.maxContainerItems} entries`, pos);
      } else if (n > k.maxContainerItems)
        throw big(`a list with more than ${k.maxContainerItems} items`, pos);
    }
    if (++values > k.maxValues) throw big(`more than ${k.maxValues} values in all`, pos);
    if (c === L || c === D) {
      if (++depth > k.maxDepth)
        throw new MetadataError(
          'MALFORMED',
          `bencode shape: lists/dictionaries nested deeper than ${k.maxDepth}`,
        );
      isDict[depth] = c === D ? 1 : 0;
      items[depth] = 0;
      pos++;
    } else if (c === I) pos = skipInt(b, pos, k);
    else if (isDigit(c)) pos = skipString(b, pos, k);
    else throw bad(`unexpected byte 0x${c.toString(16).padStart(2, '0')}`, pos);
  }
  if (depth !== 0) throw bad('truncated', b.length);
  if (pos !== b.length) throw bad('trailing bytes', pos);
}

function skipInt(b: Uint8Array, at: number, k: ShapeBounds): number {
  let p = at + 1;
  while (p < b.length && b[p] !== E) {
    if (p - at > k.maxIntChars)
      throw new MetadataError(
        'MALFORMED',
        `bencode shape: an integer of more than ${k.maxIntChars} characters`,
      );
    p++;
  }
  if (p >= b.length) throw bad('truncated integer', at);
  return p + 1;
}

function skipString(b: Uint8Array, at: number, k: ShapeBounds): number {
  let len = 0;
  let p = at;
  for (; p < b.length && isDigit(b[p]!); p++) {
    len = len * 10 + (b[p]! - 0x30);
    if (len > k.maxStringBytes) throw big(`a string of more than ${k.maxStringBytes} bytes`, at);
  }
  if (b[p] !== COLON) throw bad('string length without ":"', p);
  if (p + 1 + len > b.length) throw bad('truncated string', at);
  return p + 1 + len;
}
