/**
 * One rollback request, start to end (docs/deploy-executor.md §Rollback): the one downgrade
 * the executor allows. It rolls back only the update it deployed last, to the healthy one
 * it applied before that, once (record-rollback.ts judges, from its own record); what it
 * goes back to is re-verified from its own kept copies (rollback-check.ts). The previous
 * deployer then runs again as for a deploy (user, sandbox, no shell) with P2PU_ROLLBACK=1
 * and P2PU_ROLLBACK_FROM=<the version rolled back>, then the deployer's health check on the
 * restored version (its verdict recorded and answered; a failed one ends there: there is no
 * rollback of a rollback). The floor never moves.
 */
import { DeployError } from '../lib/deploy/errors.ts';
import { deployCommand, deployEnv } from '../lib/deploy/deployers.ts';
import type { ExecutorRequest, ExecutorResponse } from '../lib/ipc/executor-protocol.ts';
import { specOf, type DeployerConfig } from './config.ts';
import { refuse, type ExecutorCore } from './core.ts';
import { deployerFor } from './deployer-map.ts';
import { launch } from './launch.ts';
import { RecordError } from './record.ts';
import { judgeRollback, rollbackStarted } from './record-rollback.ts';
import { finished, healthOf, withRunning, type Ref } from './record-rules.ts';
import { checkHealth, type HealthVerdict } from './health.ts';
import { checkKept } from './rollback-check.ts';
import { runLaunch } from './run-launch.ts';
import { lookupUser } from './users.ts';
import { pruneWork } from './work-dir.ts';

export type RollbackRequest = Extract<ExecutorRequest, { type: 'rollback' }>;

export async function rollback(core: ExecutorCore, req: RollbackRequest): Promise<ExecutorResponse> {
  const facts = { uri: req.uri, version: req.version, infoHash: req.infoHash };
  const d = deployerFor(core.config.deployers, req.uri);
  if (d === undefined)
    return refuse(core, 'URI_NOT_ACCEPTED', `no deployer is configured for ${req.uri}`, facts);
  const j = judgeRollback(core.record.data, req.uri, req);
  if (j.kind === 'refused') return refuse(core, j.code, j.reason, facts);
  try {
    return await run(core, req, d, j.to, j.unhealthy);
  } catch (e) {
    if (e instanceof RecordError) return refuse(core, 'RECORD_IO', e.message, facts);
    throw e;
  } finally {
    await pruneWork(core.config.stateDir, core.record.data).catch(() => undefined);
  }
}

async function run(
  core: ExecutorCore,
  req: RollbackRequest,
  d: DeployerConfig,
  to: Ref,
  unhealthy: boolean,
): Promise<ExecutorResponse> {
  const { uri, version, infoHash } = req;
  const facts = { uri, version, infoHash };
  const kept = await checkKept(core, uri, to, d, unhealthy);
  if (!kept.ok) return refuse(core, kept.code, kept.reason, facts);
  const account = d.user === undefined ? null : await lookupUser(d.user);
  if (d.user !== undefined && account === null)
    return refuse(core, 'USER_UNKNOWN', `the deployer's user "${d.user}" does not exist`, facts);
  const cmd = deployCommand(specOf(d), kept.file);
  const env = {
    ...deployEnv(uri, to.version, kept.file, kept.update.files !== undefined),
    ...cmd.extraEnv,
    P2PU_ROLLBACK: '1',
    P2PU_ROLLBACK_FROM: String(version),
  };
  const timeoutMs = d.timeoutMs ?? core.config.deploy.timeoutMs;
  const how = launch(cmd, {
    uri,
    version: to.version,
    systemd: core.systemd,
    account,
    sandbox: d.sandbox,
    env,
    cwd: kept.dir,
    timeoutMs,
  });
  if ('refused' in how) return refuse(core, 'SANDBOX_UNAVAILABLE', how.refused, facts);
  const log = core.log.child({ uri, version, infoHash, to: to.version });
  await core.record.update((x) =>
    rollbackStarted(x, uri, {
      ...to,
      startedAt: core.clock.now(),
      file: kept.file,
      pgid: null,
      unit: how.unit,
    }),
  );
  log.warn({ cmd: cmd.file, user: account?.name ?? 'root', unit: how.unit }, 'rollback started');
  try {
    const r = await runLaunch(core, how, {
      env,
      cwd: kept.dir,
      timeoutMs,
      onSpawn: async (pid) => {
        await core.record.update((x) => withRunning(x, uri, { pgid: pid }));
      },
    });
    await core.record.update((x) => finished(x, uri, true, core.clock.now(), d.health !== undefined));
    log.warn({ durationMs: r.durationMs, output: r.output }, 'rolled back');
    const h = await restoredHealth(core, d, to, { uri, version: to.version, env, dir: kept.dir, account });
    return {
      type: 'rolled-back',
      uri,
      version,
      infoHash,
      to: { version: to.version, infoHash: to.infoHash },
      durationMs: r.durationMs,
      ...(h.ok ? { output: r.output } : { output: h.output, healthReason: h.reason }),
      health: d.health === undefined ? 'none' : h.ok ? 'ok' : 'failed',
    };
  } catch (e) {
    if (!(e instanceof DeployError)) throw e;
    await core.record.update((x) => finished(x, uri, false, core.clock.now()));
    log.error({ code: e.code, err: e.message, output: e.outputTail }, 'rollback failed');
    return {
      type: 'failed',
      uri,
      version,
      code: e.code,
      reason: `rollback: ${e.message}`,
      output: e.outputTail,
    };
  }
}

/** The health check of the restored update, its verdict recorded (docs/deploy-executor.md §Rollback). */
async function restoredHealth(
  core: ExecutorCore,
  d: DeployerConfig,
  to: Ref,
  t: Parameters<typeof checkHealth>[2],
): Promise<HealthVerdict> {
  if (d.health === undefined) return { ok: true, attempts: 0 };
  const v = await checkHealth(core, d, t);
  await core.record.update((x) => healthOf(x, t.uri, to, v.ok ? 'ok' : 'failed'));
  if (!v.ok)
    core.log.error(
      { uri: t.uri, version: to.version, reason: v.reason, output: v.output },
      'rollback unhealthy: the restored version failed its health check; nothing further is rolled back',
    );
  return v;
}
