/**
 * One deploy attempt (docs/manager.md §Deployer contract). The attempt is counted and
 * written down before the process starts, its process group id right after, so that a
 * restarted manager can kill a deploy it left behind and run it again.
 */
import { deployCommand, deployEnv } from '../lib/deploy/deployers.ts';
import { DeployError } from '../lib/deploy/errors.ts';
import { killDeployGroup } from '../lib/deploy/leftover.ts';
import { errorText, payloadPath, record, type Core } from './core.ts';
import { deployerFor } from './decide.ts';
import { retryAt } from './deploy-policy.ts';
import type { UpdateRecord } from './model.ts';

const TAIL_IN_STORE = 2000;

/** Kills the process group recorded for `c`'s deploy, if it is still that deploy. */
export function killRecordedDeploy(core: Core, uri: string, c: UpdateRecord): Promise<boolean> {
  if (c.deployPid === null) return Promise.resolve(false);
  return killDeployGroup(c.deployPid, deployEnv(uri, c.version, payloadPath(core, c)));
}

/**
 * Kills what an interrupted deploy left running (its process group), if that group is
 * still this deploy: after a reboot the recorded id may name someone else's group.
 */
export async function reapLeftover(core: Core, uri: string, c: UpdateRecord): Promise<void> {
  if (c.deployPid === null) return;
  const killed = await killRecordedDeploy(core, uri, c);
  core.log.warn({ uri, version: c.version, pgid: c.deployPid, killed }, 'interrupted deploy found');
}

export async function deployOnce(core: Core, uri: string, c: UpdateRecord): Promise<void> {
  const spec = deployerFor(core.config.deployers, uri);
  if (spec === undefined) {
    await record(core, uri, c.version, { type: 'give-up', error: `no deployer is configured for ${uri}` });
    return;
  }
  if (!(await record(core, uri, c.version, { type: 'deploy-started' }))) return;
  const file = payloadPath(core, c);
  const cmd = deployCommand(spec, file);
  const attempt = c.deployAttempts + 1;
  const log = core.log.child({ uri, version: c.version, attempt });
  log.info({ cmd: cmd.file, args: cmd.args }, 'deploy started');
  try {
    const r = await core.runDeploy(cmd, {
      env: deployEnv(uri, c.version, file),
      timeoutMs: core.config.deploy.timeoutMs,
      outputCapBytes: core.config.deploy.outputCapBytes,
      cwd: core.config.stateDir,
      onSpawn: async (pid) => {
        await record(core, uri, c.version, { type: 'deploy-pid', pid });
      },
    });
    log.info({ durationMs: r.durationMs, outputBytes: r.outputBytes, output: r.output }, 'deploy succeeded');
    await record(core, uri, c.version, { type: 'deploy-ok' });
  } catch (e) {
    const tail = e instanceof DeployError ? e.outputTail : '';
    const error = `${errorText(e)}${tail ? `\n--- output tail ---\n${tail.slice(-TAIL_IN_STORE)}` : ''}`;
    const now = core.clock.now();
    const cur = core.store.uri(uri)?.current ?? c;
    const at = retryAt(cur, core.config.deploy, now);
    log.error({ err: errorText(e), output: tail, retryAt: at }, 'deploy failed');
    await record(core, uri, c.version, { type: 'deploy-failed', error, retryAt: at });
  }
}
