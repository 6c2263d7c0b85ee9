/** `p2p-update status` output, pure: the store's data in, text or JSON out. */
import type { StoreData } from './model.ts';

export interface StatusRow {
  uri: string;
  applied: number | null;
  highest: number;
  state: string | null;
  version: number | null;
  progress: number | null;
  lastError: string | null;
  deployAttempts: number;
  since: string | null;
}

export function statusRows(d: StoreData | null): StatusRow[] {
  if (d === null) return [];
  return Object.entries(d.uris)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([uri, r]) => {
      const c = r.current;
      const since = c === null ? undefined : c.at[c.state];
      return {
        uri,
        applied: r.applied,
        highest: r.highestAccepted,
        state: c?.state ?? null,
        version: c?.version ?? null,
        progress: c === null ? null : Math.round(c.progress * 1000) / 10,
        lastError: c?.lastError ?? null,
        deployAttempts: c?.deployAttempts ?? 0,
        since: since === undefined ? null : new Date(since).toISOString(),
      };
    });
}

export function statusText(d: StoreData | null): string {
  const rows = statusRows(d);
  if (rows.length === 0) return 'no updates yet';
  const lines = rows.map((r) => {
    const err = r.lastError === null ? '' : `\n    last error: ${r.lastError.split('\n')[0]}`;
    return `${r.uri}\n    applied ${r.applied ?? '-'}, highest accepted ${r.highest}; v${r.version ?? '-'} ${r.state ?? '-'} ${r.progress ?? 0}% since ${r.since ?? '-'}${err}`;
  });
  const refusals = (d?.refusals ?? [])
    .slice(0, 5)
    .map((f) => `  ${new Date(f.at).toISOString()} ${f.code} ${f.uri ?? ''} ${f.version ?? ''}: ${f.reason}`);
  return [...lines, ...(refusals.length ? ['recent refusals:', ...refusals] : [])].join('\n');
}
