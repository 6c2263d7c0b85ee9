/**
 * A node's wave, decided by the node alone (docs/rollouts.md §Waves):
 *   rank = first 48 bits of SHA-256( bencode([node id, uri, version]) ) / 2^48   ∈ [0, 1)
 *   wave = the first wave whose cumulative fraction exceeds rank (none: beyond the last)
 * The bencoded list makes the hashed bytes unambiguous (no separator can be forged into an
 * id or a URI). The same node lands in independent waves for different updates.
 */
import { createHash } from 'node:crypto';
import { PPM, type Wave } from './policy.ts';

const TWO_48 = 2 ** 48;

function bstr(s: string): string {
  return `${Buffer.byteLength(s)}:${s}`;
}

export function rankOf(node: string, uri: string, version: number): number {
  const msg = `l${bstr(node)}${bstr(uri)}i${version}ee`;
  return createHash('sha256').update(msg).digest().readUIntBE(0, 6) / TWO_48;
}

/** Index of the node's wave, or -1 when its rank is at or past the last fraction. */
export function waveOf(rank: number, waves: readonly Wave[]): number {
  // rank < fraction / PPM decided exactly: rank·2^48 is an integer, compared in BigInt.
  const r = BigInt(Math.floor(rank * TWO_48)) * BigInt(PPM);
  return waves.findIndex((w) => r < BigInt(w.fraction) << 48n);
}

/** Each node's wave for one update, memoised (bounded: cleared when full); fleets are scanned often. */
export class WaveMemo {
  private readonly memo = new Map<string, number>();

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly waves: readonly Wave[],
    private readonly max = 65_536,
  ) {}

  wave(node: string): number {
    let w = this.memo.get(node);
    if (w === undefined) {
      if (this.memo.size >= this.max) this.memo.clear();
      w = waveOf(rankOf(node, this.uri, this.version), this.waves);
      this.memo.set(node, w);
    }
    return w;
  }
}
