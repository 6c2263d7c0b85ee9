/** `p2p-update status` output, pure: the store's data in, text or JSON out. */
import type { StoreData } from './model.ts';
import { payloadFileOf } from './payload-dir.ts';

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
  /** What the update's rollout gate waits for (deploying, not yet installed); null when nothing. */
  gate: string | null;
  /** The highest version that failed here, and the highest rolled back (issue 18); null: none. */
  failed: number | null;
  rolledBack: number | null;
  /** The current update's payload (downloadDir/<infohash>/<name>); only given a downloadDir. */
  file?: string | null;
}

export function statusRows(d: StoreData | null, downloadDir?: string): StatusRow[] {
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
        gate: c?.state === 'deploying' ? (c.gate ?? null) : null,
        failed: r.failed ?? null,
        rolledBack: r.rolledBack ?? null,
        ...(downloadDir === undefined ? {} : { file: c === null ? null : payloadFileOf(downloadDir, c) }),
      };
    });
}

/**
 * Text for a terminal: refusal reasons quote untrusted bytes (a peer's torrent name, URI,
 * unknown keys), so control characters are shown escaped, never sent raw.
 */
export function printable(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** Per URI, then the recent refusals (also when no update is held: a refusal is why, often). */
export function statusText(d: StoreData | null, downloadDir?: string): string {
  const rows = statusRows(d, downloadDir);
  const lines = rows.map((r) => {
    const err = r.lastError === null ? '' : `\n    last error: ${printable(r.lastError.split('\n')[0]!)}`;
    const file = r.file ? `\n    file: ${printable(r.file)}` : '';
    const gate = r.gate ? `\n    rollout: ${printable(r.gate)}` : '';
    const bad = [
      r.failed === null ? '' : `v${r.failed} failed`,
      r.rolledBack === null ? '' : `v${r.rolledBack} rolled back`,
    ];
    const fail = bad.some(Boolean) ? `\n    ${bad.filter(Boolean).join(', ')}` : '';
    return `${printable(r.uri)}\n    applied ${r.applied ?? '-'}, highest accepted ${r.highest}; v${r.version ?? '-'} ${r.state ?? '-'} ${r.progress ?? 0}% since ${r.since ?? '-'}${gate}${fail}${file}${err}`;
  });
  const refusals = (d?.refusals ?? [])
    .slice(0, 5)
    .map((f) =>
      printable(`  ${new Date(f.at).toISOString()} ${f.code} ${f.uri ?? ''} ${f.version ?? ''}: ${f.reason}`),
    );
  const head = rows.length === 0 ? ['no updates yet'] : lines;
  return [...head, ...(refusals.length ? ['recent refusals:', ...refusals] : [])].join('\n');
}
