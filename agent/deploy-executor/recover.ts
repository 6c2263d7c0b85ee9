/**
 * At start: a deploy the record still shows as running was interrupted (the executor
 * died: kill -9, power loss). What is left of it is killed — its transient unit, or its
 * process group if that group is still this deploy (a member carries the deploy's
 * P2PU_* environment; after a reboot the id may name someone else's group) — and it is
 * recorded as not applied. The manager's next request runs it again: deploys are
 * idempotent, and a deploy is only ever recorded applied after its deployer exited 0.
 */
import { deployEnv } from '../lib/deploy/deployers.ts';
import { killDeployGroup } from '../lib/deploy/leftover.ts';
import type { ExecutorCore } from './core.ts';
import { finished, runningDeploys } from './record-rules.ts';
import { stopUnit } from './units.ts';

export async function recoverInterrupted(core: ExecutorCore): Promise<void> {
  for (const [uri, r] of runningDeploys(core.record.data)) {
    let killed = false;
    if (r.unit !== null) {
      await stopUnit(r.unit);
      killed = true;
    } else if (r.pgid !== null) killed = await killDeployGroup(r.pgid, deployEnv(uri, r.version, r.file));
    core.log.warn(
      { uri, version: r.version, infoHash: r.infoHash, pgid: r.pgid, unit: r.unit, killed },
      'interrupted deploy found',
    );
    await core.record.update((d) => finished(d, uri, false, core.clock.now()));
  }
}
