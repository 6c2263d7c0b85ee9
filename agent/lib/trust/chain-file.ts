/** Reading a root chain file (an anchor in /etc, a persisted chain, an admin's chain), with coded errors. */
import { readFile, stat } from 'node:fs/promises';
import { MetadataError } from '../common/errors.ts';
import { parseChain } from './chain.ts';
import { CHAIN_LIMITS } from './limits.ts';
import type { SignedRoot } from './model.ts';

export async function readChainFile(path: string): Promise<{ raw: Uint8Array; roots: SignedRoot[] }> {
  let raw: Uint8Array;
  try {
    const size = (await stat(path)).size;
    if (size > CHAIN_LIMITS.maxChainBytes)
      throw new MetadataError(
        'TOO_LARGE',
        `${path}: ${size} bytes, a root chain is at most ${CHAIN_LIMITS.maxChainBytes}`,
      );
    raw = new Uint8Array(await readFile(path));
  } catch (cause) {
    if (cause instanceof MetadataError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new MetadataError('MALFORMED', `${path}: cannot read the root chain (${code})`, { cause });
  }
  try {
    return { raw, roots: parseChain(raw) };
  } catch (e) {
    if (e instanceof MetadataError) throw new MetadataError(e.code, `${path}: ${e.message}`, { cause: e });
    throw e;
  }
}
