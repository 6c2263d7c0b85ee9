/**
 * Learning a rotated root from the manager (docs/deploy-executor.md §Root of trust): the
 * chain file a deploy request names is read like any input (under an input dir, bounded)
 * and walked from the root the executor trusts, exactly as the manager does it; a newer
 * root is written to the executor's own state before it counts. The manager can only
 * hand over what the root keys signed: a chain that does not verify, is older, or cannot
 * be read is logged and changes nothing, and the update is then verified against the
 * root the executor already trusts. A failed write is RECORD_IO (nothing runs).
 */
import { isP2PError } from '../lib/common/errors.ts';
import { CHAIN_LIMITS } from '../lib/trust/limits.ts';
import type { ExecutorCore } from './core.ts';
import { readInput } from './inputs.ts';
import { RecordError } from './record.ts';

export async function takeRoot(core: ExecutorCore, path: string): Promise<void> {
  const before = core.trust.root.body.version;
  try {
    const raw = await readInput(path, core.inputRoots, CHAIN_LIMITS.maxChainBytes, 'root chain');
    const r = await core.trust.offer(raw);
    if (r.fresh) core.log.warn({ from: before, version: r.version, path }, 'root of trust rotated');
  } catch (e) {
    if (e instanceof RecordError || !isP2PError(e)) throw e;
    core.log.warn({ code: e.code, reason: e.message, path, version: before }, 'root chain not taken');
  }
}
