/**
 * The `state` message for natm (docs/protocol/ipc.md), pure: from the store's data.
 * `current` is the update worked on most recently; with none in progress, the most recently
 * failed one, so the fleet (and rollout gates counting failures) hears of a failure.
 */
import type { NodeState } from '../lib/ipc/contract.ts';
import type { StoreData } from './model.ts';

export function natmState(d: StoreData): NodeState {
  const applied: Record<string, number> = {};
  let current: NodeState['current'] = null;
  let latest = -1;
  let failed: NodeState['current'] = null;
  let latestFailed = -1;
  for (const [uri, r] of Object.entries(d.uris)) {
    if (r.applied !== null) applied[uri] = r.applied;
    const c = r.current;
    if (c === null || c.state === 'applied') continue;
    const t = Math.max(...Object.values(c.at).map((v) => v ?? 0));
    const row = { uri, version: c.version, state: c.state, progress: c.progress };
    if (c.state === 'failed') {
      if (t > latestFailed) [latestFailed, failed] = [t, row];
    } else if (t > latest) [latest, current] = [t, row];
  }
  return { applied, current: current ?? failed };
}
