/**
 * Rolling an update back (docs/rollouts.md §Health checks and rollback): the manager's side.
 * Two ways in: the executor answered `unhealthy` to a deploy (its health check failed), or
 * the admin asks (`requestRollback`, the entry point of `rollout abort --rollback`). Either
 * way the update goes to `rolling-back` and the URI's driver asks the executor for a
 * rollback of it, with the deploy retry policy (attempts, backoff). The executor decides
 * what it rolls back to (its own record and kept copy) and refuses anything else; a final
 * refusal gives the update up (`failed`). The executor then checks the restored version's
 * health: failed, the update ends `rollback-unhealthy` (the node stays on the restored
 * version; nothing further is rolled back). The anti-rollback floor is never lowered: the
 * rolled-back version stays the highest accepted, so it is never taken again.
 */
import { isFinalRefusal, type ExecutorResponse } from '../lib/ipc/executor-protocol.ts';
import { errorText, record, type Core } from './core.ts';
import { retryAt } from './deploy-policy.ts';
import type { UpdateRecord } from './model.ts';

export type RollbackAsk =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'NOT_CURRENT' | 'NOT_APPLIED'; readonly reason: string };

/**
 * Asks for a rollback of `uri`@`version`, which must be the URI's current update and
 * applied (a health-check failure starts one by itself). Recorded before it returns; the
 * URI's driver must then be kicked (Manager.rollBack does both).
 */
export async function requestRollback(
  core: Core,
  uri: string,
  version: number,
  reason: string,
): Promise<RollbackAsk> {
  const c = core.store.uri(uri)?.current;
  if (!c || c.version !== version)
    return {
      ok: false,
      code: 'NOT_CURRENT',
      reason: `${uri}@${version} is not this node's current update${c ? ` (${c.version} is)` : ''}`,
    };
  if (c.state === 'rolling-back' || c.state === 'rolled-back' || c.state === 'rollback-unhealthy')
    return { ok: true };
  if (c.state !== 'applied')
    return { ok: false, code: 'NOT_APPLIED', reason: `${uri}@${version} is ${c.state}, not applied` };
  await record(core, uri, version, { type: 'rollback-requested', reason });
  core.log.warn({ uri, version, reason }, 'rollback requested');
  return { ok: true };
}

async function failed(core: Core, uri: string, c: UpdateRecord, error: string): Promise<void> {
  const cur = core.store.uri(uri)?.current ?? c;
  const at = retryAt(cur, core.config.deploy, core.clock.now());
  core.log.error({ uri, version: c.version, err: error.split('\n')[0], retryAt: at }, 'rollback failed');
  await record(core, uri, c.version, { type: 'rollback-failed', error, retryAt: at });
}

async function answered(core: Core, uri: string, c: UpdateRecord, r: ExecutorResponse): Promise<void> {
  if (r.type === 'rolled-back' && r.health === 'failed') {
    const error = `ROLLBACK_UNHEALTHY: v${r.to.version} restored, its ${r.healthReason ?? 'health check failed'}`;
    core.log.error({ uri, version: c.version, to: r.to.version, output: r.output.slice(-2000) }, error);
    await record(core, uri, c.version, { type: 'rollback-unhealthy', to: r.to.version, error });
  } else if (r.type === 'rolled-back') {
    core.log.warn(
      { uri, version: c.version, to: r.to.version, durationMs: r.durationMs, output: r.output.slice(-2000) },
      'rolled back',
    );
    await record(core, uri, c.version, { type: 'rolled-back', to: r.to.version });
  } else if (r.type === 'failed') await failed(core, uri, c, `${r.code}: ${r.reason}`);
  else if (r.type === 'refused' && r.code === 'ALREADY_ROLLED_BACK')
    await record(core, uri, c.version, { type: 'rolled-back', to: null }); // done before a restart
  else if (r.type === 'refused' && isFinalRefusal(r.code)) {
    core.log.error({ uri, version: c.version, code: r.code, reason: r.reason }, 'rollback refused');
    await record(core, uri, c.version, {
      type: 'give-up',
      error: `rollback refused by the deploy executor: ${r.code}: ${r.reason}`,
    });
  } else if (r.type === 'refused') await failed(core, uri, c, `${r.code}: ${r.reason}`);
  else await failed(core, uri, c, `EXECUTOR_GONE: unexpected answer "${r.type}" to a rollback`);
}

/** One rollback attempt of the current update `c` (state rolling-back). */
export async function rollbackOnce(
  core: Core,
  uri: string,
  c: UpdateRecord,
  stop: AbortSignal,
): Promise<void> {
  const req = { type: 'rollback' as const, uri, version: c.version, infoHash: c.infoHash };
  let r: ExecutorResponse | null;
  try {
    r = await core.executor.rollback(
      req,
      () => record(core, uri, c.version, { type: 'rollback-started' }),
      stop,
    );
  } catch (e) {
    if ((e as { code?: string }).code === 'EXECUTOR_UNAVAILABLE') throw e; // nothing asked: retried
    if (stop.aborted)
      return core.log.warn({ uri, version: c.version }, 'stopped while the executor rolls back');
    return failed(core, uri, c, errorText(e));
  }
  if (r !== null) await answered(core, uri, c, r);
}
