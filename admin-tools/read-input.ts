/** Reads a torrent-file++ from disk, refusing one over the metadata cap without reading it whole. */
import { stat } from 'node:fs/promises';
import { MetadataError } from '../agent/lib/common/errors.ts';
import { LIMITS } from '../agent/lib/metainfo/limits.ts';

export async function readInput(path: string, read: (p: string) => Promise<Buffer>): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (cause) {
    throw new MetadataError(
      'MALFORMED',
      `${path}: cannot read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause },
    );
  }
  if (size > LIMITS.maxMetadataBytes) {
    throw new MetadataError('TOO_LARGE', `${path} is ${size} bytes, the limit is ${LIMITS.maxMetadataBytes}`);
  }
  return new Uint8Array(await read(path));
}
