/**
 * One deploy request, start to end (docs/deploy-executor.md §Deploy). Cheap refusals
 * first (no deployer for the URI; a version below the executor's own floor), the exact
 * update applied last answered `applied` without running anything (the manager asks
 * again after its own crash), then the checks of check-request.ts, then the record:
 * the floor rises and the deploy is written down as running *before* the deployer
 * starts, its process group (or unit) right after, its outcome when it ends.
 */
import { DeployError } from '../lib/deploy/errors.ts';
import type { ExecutorResponse } from '../lib/ipc/executor-protocol.ts';
import { checkDeploy, type Checked, type DeployRequest } from './check-request.ts';
import { refuse, type ExecutorCore } from './core.ts';
import { deployerFor } from './deployer-map.ts';
import { RecordError } from './record.ts';
import { finished, judge, started, withRunning } from './record-rules.ts';
import { pruneWork } from './work-dir.ts';

export async function deploy(core: ExecutorCore, req: DeployRequest): Promise<ExecutorResponse> {
  const facts = { uri: req.uri, version: req.version, infoHash: req.infoHash };
  const d = deployerFor(core.config.deployers, req.uri);
  if (d === undefined)
    return refuse(core, 'URI_NOT_ACCEPTED', `no deployer is configured for ${req.uri}`, facts);
  const j = judge(core.record.data.uris[req.uri], req);
  if (j.kind === 'rollback') return refuse(core, 'ROLLBACK', j.reason, facts);
  if (j.kind === 'already-applied') {
    core.log.info(facts, 'already applied; not run again');
    return { type: 'applied', ...facts, ran: false, durationMs: 0, output: '' };
  }
  try {
    const c = await checkDeploy(core, req, d);
    if ('type' in c) return c;
    return await runChecked(core, req, c, d.timeoutMs ?? core.config.deploy.timeoutMs);
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
  timeoutMs: number,
): Promise<ExecutorResponse> {
  const { uri, version, infoHash } = req;
  const { record } = core;
  const unit = c.launch.unit;
  await record.update((d) =>
    started(d, uri, { version, infoHash, startedAt: core.clock.now(), file: c.file, pgid: null, unit }),
  );
  const log = core.log.child({ uri, version, infoHash });
  log.info(
    { cmd: c.launch.cmd.file, args: c.launch.cmd.args, user: c.account?.name ?? 'root', unit },
    'deploy started',
  );
  const l = c.launch;
  const caps = { timeoutMs, outputCapBytes: core.config.deploy.outputCapBytes };
  try {
    const r =
      l.kind === 'unit'
        ? await core.runUnit(l, caps)
        : await core.run(l.cmd, {
            ...caps,
            env: c.env,
            cwd: c.dir,
            ...(l.account ? { uid: l.account.uid, gid: l.account.gid } : {}),
            onSpawn: async (pid) => {
              await record.update((d) => withRunning(d, uri, { pgid: pid }));
            },
          });
    await record.update((d) => finished(d, uri, true, core.clock.now()));
    log.info({ durationMs: r.durationMs, outputBytes: r.outputBytes, output: r.output }, 'deploy succeeded');
    return { type: 'applied', uri, version, infoHash, ran: true, durationMs: r.durationMs, output: r.output };
  } catch (e) {
    if (!(e instanceof DeployError)) throw e;
    await record.update((d) => finished(d, uri, false, core.clock.now()));
    log.error({ code: e.code, err: e.message, output: e.outputTail }, 'deploy failed');
    return { type: 'failed', uri, version, code: e.code, reason: e.message, output: e.outputTail };
  }
}
