/**
 * What the admin is told about an inbox file that stayed incomplete: that it looked
 * truncated, and how to hand a file over so that the manager never sees half of it.
 * The inbox only submits a torrent that ends inside a bencode value once it has stopped
 * changing (inbox.ts), so such a file reaching intake from the inbox was cut short.
 */
import { MetadataError } from '../lib/common/errors.ts';
import { isBencodePrefix } from '../lib/metainfo/bencode-prefix.ts';
import { LIMITS } from '../lib/metainfo/limits.ts';

export const HANDOVER =
  'hand files over atomically: write under a dot-name, then rename (p2p-update publish does this; scp to .NAME then mv; rsync is fine, it renames too unless --inplace)';

/** `e`, or for bytes that end inside a bencode value, a refusal saying it looked truncated. */
export function truncatedRefusal(raw: Uint8Array, e: MetadataError): MetadataError {
  if (e.code !== 'MALFORMED' || raw.length > LIMITS.maxMetadataBytes || !isBencodePrefix(raw)) return e;
  return new MetadataError(
    'MALFORMED',
    `looked truncated: ${raw.length} bytes that end inside a bencode value, and the file stopped changing; copy it again, and ${HANDOVER}`,
    { cause: e },
  );
}
