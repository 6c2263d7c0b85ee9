/**
 * At start: a deploy the record still shows as running was interrupted (the executor
 * died: kill -9, power loss). Before anything is served:
 * - a transient unit that already ended (it stays loaded: RemainAfterExit) gives its
 *   result: applied, or not;
 * - a unit still running is killed; a directly spawned deploy's process group is killed
 *   if that group is still this deploy (a member carries the deploy's P2PU_* environment;
 *   after a reboot the id may name someone else's group);
 * and the deploy is recorded applied or not. A deploy not applied is run again at the
 * manager's next request: deployers are idempotent, and a deploy is recorded applied
 * only when its deployer exited with an "applied" code.
 */
import { deployCommand, deployEnv } from '../lib/deploy/deployers.ts';
import { killDeployGroup } from '../lib/deploy/leftover.ts';
import { specOf } from './config.ts';
import type { ExecutorCore } from './core.ts';
import { deployerFor } from './deployer-map.ts';
import { finished, runningDeploys, type Running } from './record-rules.ts';
import { failureOf, hasEnded } from './unit-result.ts';
import { stopUnit, unitState } from './units.ts';

/** Whether the interrupted deploy's unit ended with an "applied" code; kills it if it runs. */
async function unitOutcome(
  core: ExecutorCore,
  uri: string,
  r: Running & { unit: string },
): Promise<{ applied: boolean; killed: boolean }> {
  const d = deployerFor(core.config.deployers, uri);
  const s = await unitState(r.unit).catch(() => null);
  const ended = s !== null && hasEnded(s);
  const applied = d !== undefined && ended && failureOf(s, deployCommand(specOf(d), r.file), '') === null;
  await stopUnit(r.unit);
  return { applied, killed: s !== null && !ended };
}

export async function recoverInterrupted(core: ExecutorCore): Promise<void> {
  for (const [uri, r] of runningDeploys(core.record.data)) {
    let killed = false;
    let applied = false;
    if (r.unit !== null) ({ applied, killed } = await unitOutcome(core, uri, { ...r, unit: r.unit }));
    else if (r.pgid !== null) killed = await killDeployGroup(r.pgid, deployEnv(uri, r.version, r.file));
    core.log.warn(
      { uri, version: r.version, infoHash: r.infoHash, pgid: r.pgid, unit: r.unit, killed, applied },
      'interrupted deploy found',
    );
    await core.record.update((d) => finished(d, uri, applied, core.clock.now()));
  }
}
