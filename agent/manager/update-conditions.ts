/**
 * The update conditions the manager reports in its fleet record (health.ts
 * UPDATE_CONDITIONS), pure: `not_serving` while a refused update a neighbour needs is held
 * back by a serve-only bound (serve-only.ts), `no_source` while an update has been
 * downloading for `quietMs` without a byte (its only source may have refused it).
 */
import type { UpdateCondition } from '../lib/gossip/health.ts';
import type { StoreData } from './model.ts';
import type { ServeEntry } from './serve-only.ts';

export function updateConditions(
  d: StoreData,
  serving: readonly ServeEntry[],
  now: number,
  quietMs: number,
): UpdateCondition[] {
  const out: UpdateCondition[] = [];
  if (serving.some((e) => e.state === 'blocked')) out.push('not_serving');
  const quiet = Object.values(d.uris).some((r) => {
    const c = r.current;
    const since = c?.at.downloading;
    return c?.state === 'downloading' && c.progress === 0 && since !== undefined && now - since >= quietMs;
  });
  if (quiet) out.push('no_source');
  return out;
}
