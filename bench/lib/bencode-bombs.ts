/**
 * Hostile bencode inputs of (at most) the 2 MiB a torrent-file++ may have: shapes that are
 * cheap to send and expensive to decode (docs/protocol/torrent-file-plus-plus.md §Limits).
 * Most sit where a real file has a value (`info`, `announce-list`) so that only the shape
 * bounds, not the top-level type, can refuse them. Used by bench/parse-bombs.ts and
 * test/metainfo/parse-bombs.test.ts. Pure.
 */
export const BOMB_BYTES = 2 * 1024 * 1024;

/** `head` · `unit` repeated as often as fits · `tail`, ≤ BOMB_BYTES. */
function repeat(head: string, unit: string, tail: string): Uint8Array {
  const n = Math.floor((BOMB_BYTES - head.length - tail.length) / unit.length);
  return Buffer.from(head + unit.repeat(n) + tail, 'latin1');
}

/** A top-level dict of sorted, distinct 7-digit keys, each mapped to 0. */
function hugeDict(): Uint8Array {
  const n = Math.floor((BOMB_BYTES - 2) / 12);
  const parts = ['d'];
  for (let i = 0; i < n; i++) parts.push(`7:${String(i).padStart(7, '0')}i0e`);
  parts.push('e');
  return Buffer.from(parts.join(''), 'latin1');
}

export const BOMBS: Record<string, () => Uint8Array> = {
  /** The issue-16 case: a bare list of ~1 million empty strings. */
  'empty-strings': () => repeat('l', '0:', 'e'),
  'info-empty-strings': () => repeat('d4:infol', '0:', 'ee'),
  'info-ints': () => repeat('d4:infol', 'i0e', 'ee'),
  'info-empty-lists': () => repeat('d4:infol', 'le', 'ee'),
  'info-empty-dicts': () => repeat('d4:infol', 'de', 'ee'),
  'deep-lists': () => {
    const d = Math.floor((BOMB_BYTES - 8) / 2);
    return Buffer.from(`d4:info${'l'.repeat(d)}${'e'.repeat(d)}e`, 'latin1');
  },
  'huge-dict': hugeDict,
  /** Where a real file has a list of lists: ~1 million empty tiers. */
  'announce-tiers': () => repeat('d13:announce-listl', 'le', 'ee'),
  /** Within every per-container bound (depth 3, 60 items each), many containers. */
  'wide-tree': () => repeat('d4:infol', `l${'0:'.repeat(60)}e`, 'ee'),
  /** The most the shape bounds let through (979 values, 2 MiB): decoded, then refused. */
  'within-bounds': () => {
    const str = `2048:${'x'.repeat(2048)}`;
    return Buffer.from(`d4:infol${`l${str.repeat(60)}e`.repeat(16)}ee`, 'latin1');
  },
  /** One integer of 2 million digits. */
  'huge-int': () => repeat('d4:infoi', '9', 'ee'),
};
