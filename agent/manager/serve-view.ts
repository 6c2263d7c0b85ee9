/** The serve-only part of `p2p-update status` (serve-only.ts), pure. */
import { isNeighbour, type NeighbourRow, type ServeEntry } from './serve-only.ts';
import { printable } from './status-view.ts';

const WHAT = { serving: 'serving', candidate: 'held in case a neighbour needs it', blocked: 'NOT served' };

export function serveText(entries: readonly ServeEntry[]): string[] {
  if (entries.length === 0) return [];
  const lines = entries.map((e) => {
    const who = e.for.length > 0 ? ` for ${e.for.join(',')}` : '';
    const note = e.note ? ` (${e.note})` : '';
    return printable(
      `  ${e.uri} v${e.version} ${WHAT[e.state] ?? e.state}${who}${note}; not deployed here: ${e.code}: ${e.reason}`,
    );
  });
  return ['refused here, served for neighbours:', ...lines];
}

/**
 * For a node that downloads: its LAN neighbours or bridge (serve-only.ts isNeighbour) that
 * report `not_serving` (they refused an update and do not serve it), from natm's members
 * reply. Its only source may be among them: say so instead of waiting silently.
 */
export function sourceText(
  downloading: readonly string[],
  members: readonly unknown[],
  ourExternal: string | null,
): string[] {
  if (downloading.length === 0) return [];
  const rows = members.filter(
    (m): m is NeighbourRow & { conditions?: unknown } => typeof m === 'object' && m !== null,
  );
  const ids = rows
    .filter(
      (r) =>
        isNeighbour(r, ourExternal) && Array.isArray(r.conditions) && r.conditions.includes('not_serving'),
    )
    .map((r) => r.id);
  if (ids.length === 0) return [];
  return [
    printable(
      `source: neighbour ${ids.join(', ')} refused an update and does not serve it (its status says why); ${downloading.join(', ')} may have no other source`,
    ),
  ];
}
