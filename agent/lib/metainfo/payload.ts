/**
 * Payload check (spec §Check order, step 9): the file's length and SHA-256 must equal
 * the signed values. The file is hashed as a stream, never read into memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MetadataError } from '../common/errors.ts';
import type { ManifestEntry } from './manifest.ts';
import { checkDirPayload } from './payload-dir.ts';

export async function sha256File(path: string): Promise<{ sha256: Uint8Array; length: number }> {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    length += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { sha256: hash.digest(), length };
}

/** With `files` (a directory payload), `path` is the directory: payload-dir.ts. */
export async function checkPayload(
  path: string,
  expected: { length: number; sha256: Uint8Array; files?: readonly ManifestEntry[] | undefined },
): Promise<void> {
  if (expected.files !== undefined) return checkDirPayload(path, expected.files);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (cause) {
    throw new MetadataError('PAYLOAD_MISMATCH', `payload ${path} cannot be read`, { cause });
  }
  if (size !== expected.length) {
    throw new MetadataError(
      'PAYLOAD_MISMATCH',
      `payload is ${size} bytes, the signed length is ${expected.length}`,
    );
  }
  const got = await sha256File(path);
  if (got.length !== expected.length || Buffer.compare(got.sha256, expected.sha256) !== 0) {
    throw new MetadataError(
      'PAYLOAD_MISMATCH',
      `payload SHA-256 is ${Buffer.from(got.sha256).toString('hex')}, signed ${Buffer.from(expected.sha256).toString('hex')}`,
    );
  }
}
