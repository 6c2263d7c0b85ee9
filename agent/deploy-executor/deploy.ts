/**
 * One deploy request, start to end (docs/deploy-executor.md §Deploy). Cheap refusals
 * first (no deployer for the URI; a version below the executor's own floor, or one rolled
 * back here), the exact update applied last answered `applied` (or `unhealthy`) without
 * running anything (the manager asks again after its own crash), then the checks of
 * check-request.ts, then the record: the floor rises and the deploy is written down as
 * running *before* the deployer starts, its process group (or unit) right after, its
 * outcome when it ends; then the deployer's health check (health.ts), its verdict recorded.
 */
import { DeployError } from '../lib/deploy/errors.ts';
import type { ExecutorResponse } from '../lib/ipc/executor-protocol.ts';
import { checkDeploy, type Checked, type DeployRequest } from './check-request.ts';
import type { DeployerConfig } from './config.ts';
import { refuse, type ExecutorCore } from './core.ts';
import { deployerFor } from './deployer-map.ts';
import { checkHealth } from './health.ts';
import { RecordError } from './record.ts';
import { finished, healthOf, judge, started, withRunning } from './record-rules.ts';
import { runLaunch } from './run-launch.ts';
import { pruneWork } from './work-dir.ts';

export async function deploy(core: ExecutorCore, req: DeployRequest): Promise<ExecutorResponse> {
  const facts = { uri: req.uri, version: req.version, infoHash: req.infoHash };
  const d = deployerFor(core.config.deployers, req.uri);
  if (d === undefined)
    return refuse(core, 'URI_NOT_ACCEPTED', `no deployer is configured for ${req.uri}`, facts);
  const u = core.record.data.uris[req.uri];
  const j = judge(u, req);
  if (j.kind === 'rollback') return refuse(core, 'ROLLBACK', j.reason, facts);
  if (j.kind === 'rolled-back') return refuse(core, 'ROLLED_BACK', j.reason, facts);
  const health = u?.applied?.health;
  if (j.kind === 'already-applied' && health === 'failed') {
    const reason = 'its health check failed (recorded before)';
    return { type: 'unhealthy', ...facts, ran: false, reason, output: '' };
  }
  if (j.kind === 'already-applied' && health !== 'checking') {
    core.log.info(facts, 'already applied; not run again');
    return { type: 'applied', ...facts, ran: false, durationMs: 0, output: '' };
  }
  try {
    const c = await checkDeploy(core, req, d);
    if ('type' in c) return c;
    // Applied, but the executor stopped during its health check: only the check runs again.
    if (j.kind === 'already-applied') return await judged(core, req, c, d, 0, '');
    return await runChecked(core, req, c, d);
  } catch (e) {
    if (e instanceof RecordError) return refuse(core, 'RECORD_IO', e.message, facts);
    throw e;
  } finally {
    await pruneWork(core.config.stateDir, core.record.data).catch(() => undefined);
  }
}

async function runChecked(
  core: ExecutorCore,
  req: DeployRequest,
  c: Checked,
  d: DeployerConfig,
): Promise<ExecutorResponse> {
  const { uri, version, infoHash } = req;
  const { record } = core;
  const unit = c.launch.unit;
  await record.update((x) =>
    started(x, uri, { version, infoHash, startedAt: core.clock.now(), file: c.file, pgid: null, unit }),
  );
  const log = core.log.child({ uri, version, infoHash });
  log.info(
    { cmd: c.launch.cmd.file, args: c.launch.cmd.args, user: c.account?.name ?? 'root', unit },
    'deploy started',
  );
  try {
    const r = await runLaunch(core, c.launch, {
      env: c.env,
      cwd: c.dir,
      timeoutMs: d.timeoutMs ?? core.config.deploy.timeoutMs,
      onSpawn: async (pid) => {
        await record.update((x) => withRunning(x, uri, { pgid: pid }));
      },
    });
    await record.update((x) => finished(x, uri, true, core.clock.now(), d.health !== undefined));
    log.info({ durationMs: r.durationMs, outputBytes: r.outputBytes, output: r.output }, 'deploy succeeded');
    return await judged(core, req, c, d, r.durationMs, r.output);
  } catch (e) {
    if (!(e instanceof DeployError)) throw e;
    await record.update((x) => finished(x, uri, false, core.clock.now()));
    log.error({ code: e.code, err: e.message, output: e.outputTail }, 'deploy failed');
    return { type: 'failed', uri, version, code: e.code, reason: e.message, output: e.outputTail };
  }
}

/** The health check of an applied update, its verdict recorded and answered. */
async function judged(
  core: ExecutorCore,
  req: DeployRequest,
  c: Checked,
  d: DeployerConfig,
  durationMs: number,
  output: string,
): Promise<ExecutorResponse> {
  const { uri, version, infoHash } = req;
  if (d.health === undefined)
    return { type: 'applied', uri, version, infoHash, ran: true, durationMs, output };
  const v = await checkHealth(core, d, { uri, version, env: c.env, dir: c.dir, account: c.account });
  await core.record.update((x) => healthOf(x, uri, { version, infoHash }, v.ok ? 'ok' : 'failed'));
  if (v.ok) return { type: 'applied', uri, version, infoHash, ran: true, durationMs, output };
  core.log.error({ uri, version, infoHash, reason: v.reason, output: v.output }, 'update unhealthy');
  return { type: 'unhealthy', uri, version, infoHash, ran: true, reason: v.reason, output: v.output };
}
