/**
 * One deploy attempt, through the deploy executor (docs/manager.md §Deploy). The
 * attempt is counted and written down once the executor is reachable, before the request
 * goes out. The executor re-checks everything and answers: applied, failed (retried with
 * backoff), or refused — a refusal that asking again cannot change gives the update up
 * and is recorded like any other; a passing one (BUSY, ...) is a failed attempt. Killed
 * after the executor applied the update, the restarted manager asks again and is told
 * `applied` (nothing runs twice).
 */
import { isFinalRefusal, type ExecutorResponse } from '../lib/ipc/executor-protocol.ts';
import { errorText, payloadPath, record, recordRefusal, type Core } from './core.ts';
import { retryAt } from './deploy-policy.ts';
import type { UpdateRecord } from './model.ts';
import { refusePayload } from './step-payload.ts';

const TAIL_IN_STORE = 2000;

async function failed(core: Core, uri: string, c: UpdateRecord, error: string, output = ''): Promise<void> {
  const cur = core.store.uri(uri)?.current ?? c;
  const at = retryAt(cur, core.config.deploy, core.clock.now());
  const fields = { uri, version: c.version, err: error.split('\n')[0], retryAt: at };
  core.log.error({ ...fields, output: output.slice(-core.config.deploy.outputCapBytes) }, 'deploy failed');
  await record(core, uri, c.version, { type: 'deploy-failed', error, retryAt: at });
}

async function refused(
  core: Core,
  uri: string,
  c: UpdateRecord,
  r: Extract<ExecutorResponse, { type: 'refused' }>,
) {
  const error = `${r.code}: ${r.reason}`;
  if (!isFinalRefusal(r.code)) return failed(core, uri, c, error);
  if (r.code === 'PAYLOAD_MISMATCH') await refusePayload(core, uri, c, r.reason);
  else {
    core.log.error({ uri, version: c.version, code: r.code, reason: r.reason }, 'update refused');
    await recordRefusal(core, {
      at: core.clock.now(),
      ...{
        code: r.code,
        reason: r.reason,
        source: 'executor',
        uri,
        version: c.version,
        infoHash: c.infoHash,
      },
    });
  }
  await record(core, uri, c.version, { type: 'give-up', error: `refused by the deploy executor: ${error}` });
}

export async function deployOnce(core: Core, uri: string, c: UpdateRecord, stop: AbortSignal): Promise<void> {
  const log = core.log.child({ uri, version: c.version, attempt: c.deployAttempts + 1 });
  const req = {
    type: 'deploy' as const,
    uri,
    version: c.version,
    infoHash: c.infoHash,
    torrent: core.store.torrentPath(c.infoHash),
    payload: payloadPath(core, c),
    ...(core.trust.keptPath === null ? {} : { root: core.trust.keptPath }),
  };
  let r: ExecutorResponse | null;
  try {
    r = await core.executor.deploy(req, () => record(core, uri, c.version, { type: 'deploy-started' }), stop);
  } catch (e) {
    if ((e as { code?: string }).code === 'EXECUTOR_UNAVAILABLE') throw e; // nothing asked: retried, not counted
    if (stop.aborted)
      return log.warn({}, 'stopped while the executor deploys; asked again at the next start');
    return failed(core, uri, c, errorText(e));
  }
  if (r === null) return;
  if (r.type === 'applied') {
    const output = r.output.slice(-core.config.deploy.outputCapBytes);
    log.info(
      { durationMs: r.durationMs, ran: r.ran, output },
      r.ran ? 'deploy succeeded' : 'deploy already applied',
    );
    if (r.ran) core.metrics.deployed(r.durationMs);
    await record(core, uri, c.version, { type: 'deploy-ok' });
  } else if (r.type === 'unhealthy') {
    const output = r.output.slice(-core.config.deploy.outputCapBytes);
    log.error({ reason: r.reason, ran: r.ran, output }, 'deployed, health check failed; rolling back');
    await record(core, uri, c.version, { type: 'unhealthy', error: `HEALTH_FAILED: ${r.reason}` });
  } else if (r.type === 'failed') {
    const tail = r.output ? `\n--- output tail ---\n${r.output.slice(-TAIL_IN_STORE)}` : '';
    await failed(core, uri, c, `${r.code}: ${r.reason}${tail}`, r.output);
  } else if (r.type === 'refused') await refused(core, uri, c, r);
  else await failed(core, uri, c, `EXECUTOR_GONE: unexpected answer "${r.type}" to a deploy`);
}
