/**
 * A root chain (docs/protocol/root.md §Chain): consecutive roots, oldest first, in one
 * document `{ "roots": [ <root>, ... ] }` (each root as a byte string, its exact bytes).
 * It is what an admin keeps and publishes, and what gossip carries, so a node that
 * missed a rotation still walks every step from the root it trusts to the newest.
 */
import { MetadataError } from '../common/errors.ts';
import { decodeStrict, encode, isDict } from '../metainfo/bencode-strict.ts';
import { onlyKeys } from '../metainfo/fields.ts';
import { checkShape } from '../metainfo/shape.ts';
import { CHAIN_LIMITS, ROOT_LIMITS } from './limits.ts';
import type { SignedRoot } from './model.ts';
import { parseRoot } from './parse-root.ts';

/** Every chain starts with these bytes (its one key, then the list); no torrent-file++ does. */
const MAGIC = Buffer.from('d5:rootsl');

export function isRootChain(raw: Uint8Array): boolean {
  return raw.length >= MAGIC.length && Buffer.from(raw.subarray(0, MAGIC.length)).equals(MAGIC);
}

export function encodeChain(roots: readonly Uint8Array[]): Uint8Array {
  return encode({ roots: roots.map((r) => Buffer.from(r)) });
}

export function parseChain(raw: Uint8Array): SignedRoot[] {
  if (raw.length > CHAIN_LIMITS.maxChainBytes)
    throw new MetadataError(
      'TOO_LARGE',
      `root chain is ${raw.length} bytes, the limit is ${CHAIN_LIMITS.maxChainBytes}`,
    );
  checkShape(raw, CHAIN_LIMITS.shape);
  const top = decodeStrict(raw);
  if (!isDict(top)) throw new MetadataError('MALFORMED', 'root chain: expected a dictionary');
  onlyKeys(top, ['roots'], 'root chain');
  const list = top['roots'];
  if (!Array.isArray(list) || list.length === 0 || list.length > ROOT_LIMITS.maxChainRoots)
    throw new MetadataError(
      'MALFORMED',
      `root chain: expected a list of 1 to ${ROOT_LIMITS.maxChainRoots} roots`,
    );
  const roots = list.map((r, i) => {
    if (!(r instanceof Uint8Array))
      throw new MetadataError('MALFORMED', `root chain[${i}]: expected a byte string`);
    return parseRoot(new Uint8Array(r));
  });
  roots.forEach((r, i) => {
    if (i > 0 && r.body.version !== roots[i - 1]!.body.version + 1)
      throw new MetadataError(
        'MALFORMED',
        `root chain[${i}]: version ${r.body.version} after ${roots[i - 1]!.body.version}; a chain holds consecutive versions`,
      );
  });
  return roots;
}
