/** The `state` message for natm (docs/protocol/ipc.md), pure: from the store's data. */
import type { NodeState } from '../lib/ipc/contract.ts';
import type { StoreData } from './model.ts';

export function natmState(d: StoreData): NodeState {
  const applied: Record<string, number> = {};
  let current: NodeState['current'] = null;
  let latest = -1;
  for (const [uri, r] of Object.entries(d.uris)) {
    if (r.applied !== null) applied[uri] = r.applied;
    const c = r.current;
    if (c === null || c.state === 'applied' || c.state === 'failed') continue;
    const t = Math.max(...Object.values(c.at).map((v) => v ?? 0));
    if (t > latest) {
      latest = t;
      current = { uri, version: c.version, state: c.state, progress: c.progress };
    }
  }
  return { applied, current };
}
