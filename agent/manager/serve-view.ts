/** The serve-only part of `p2p-update status` (serve-only.ts), pure. */
import type { ServeEntry } from './serve-only.ts';
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
