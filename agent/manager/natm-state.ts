/**
 * The `state` message for natm (docs/protocol/ipc.md), pure: from the store's data.
 * `current` is the update worked on most recently; with none in progress, the most recently
 * failed or rolled-back one, so the fleet (and rollout gates counting failures) hears of it.
 * `failed` and `rolledBack` name, per URI, the highest version that failed or was rolled
 * back here, whatever the node works on now (docs/rollouts.md §Health checks).
 */
import type { NodeState } from '../lib/ipc/contract.ts';
import type { StoreData, UpdateState } from './model.ts';

const ENDED: ReadonlySet<UpdateState> = new Set(['failed', 'rolled-back', 'rollback-unhealthy']);

export function natmState(d: StoreData): NodeState {
  const applied: Record<string, number> = {};
  const failedVersions: Record<string, number> = {};
  const rolledBack: Record<string, number> = {};
  let current: NodeState['current'] = null;
  let latest = -1;
  let failed: NodeState['current'] = null;
  let latestFailed = -1;
  for (const [uri, r] of Object.entries(d.uris)) {
    if (r.applied !== null) applied[uri] = r.applied;
    if (r.failed !== undefined) failedVersions[uri] = r.failed;
    if (r.rolledBack !== undefined) rolledBack[uri] = r.rolledBack;
    const c = r.current;
    if (c === null || c.state === 'applied') continue;
    const t = Math.max(...Object.values(c.at).map((v) => v ?? 0));
    const row = { uri, version: c.version, state: c.state, progress: c.progress };
    if (ENDED.has(c.state)) {
      if (t > latestFailed) [latestFailed, failed] = [t, row];
    } else if (t > latest) [latest, current] = [t, row];
  }
  return {
    applied,
    current: current ?? failed,
    ...(Object.keys(failedVersions).length > 0 ? { failed: failedVersions } : {}),
    ...(Object.keys(rolledBack).length > 0 ? { rolledBack } : {}),
  };
}
