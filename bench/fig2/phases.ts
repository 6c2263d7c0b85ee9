/**
 * Where a Figure 2 update's time goes on each node, read from the manager's own log (pino
 * JSON lines, pure): publish → accepted (the notification's spread) → torrent added →
 * first peer (the first forced rechoke for a new peer; null without lever R) → downloaded
 * → payload checked (flush + hash) → deployed. Each phase in ms; `null` where the log has
 * no mark for it (e.g. an inline payload is never downloaded through BitTorrent).
 */
import { median } from '../lib/stats.ts';

export interface NodePhases {
  readonly notifyMs: number | null;
  readonly addMs: number | null;
  readonly firstPeerMs: number | null;
  readonly transferMs: number | null;
  readonly verifyMs: number | null;
  readonly deployMs: number | null;
  readonly totalMs: number | null;
}

export const PHASES = ['notifyMs', 'addMs', 'firstPeerMs', 'transferMs', 'verifyMs', 'deployMs'] as const;

interface Line {
  readonly time?: string;
  readonly msg?: string;
  readonly version?: number;
  readonly event?: string;
  readonly infoHash?: string;
  readonly reason?: string;
  readonly torrents?: unknown;
}

function parse(line: string): Line | null {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null ? (v as Line) : null;
  } catch {
    return null;
  }
}

const gap = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? null : b - a;

/** Per node, per phase: the median over the samples (null where no sample has the phase). */
export function medianPhases(
  perSample: readonly Readonly<Record<string, NodePhases>>[],
): Record<string, Record<string, number | null>> {
  const nodes = [...new Set(perSample.flatMap((s) => Object.keys(s)))];
  return Object.fromEntries(
    nodes.map((n) => [
      n,
      Object.fromEntries(
        [...PHASES, 'totalMs' as const].map((k) => {
          const xs = perSample.map((s) => s[n]?.[k]).filter((x): x is number => typeof x === 'number');
          return [k, xs.length === 0 ? null : median(xs)];
        }),
      ),
    ]),
  );
}

/** The phases of `version` on one node, from its manager log, `publishedAt` in ms since the epoch. */
export function nodePhases(lines: readonly string[], version: number, publishedAt: number): NodePhases {
  const at: Record<string, number> = {};
  let hash: string | undefined;
  for (const raw of lines) {
    const l = parse(raw);
    const t = l?.time === undefined ? NaN : Date.parse(l.time);
    if (l === null || !Number.isFinite(t)) continue;
    const first = (k: string) => void (at[k] ??= t);
    if (l.msg === 'update accepted' && l.version === version) {
      first('accepted');
      hash = l.infoHash;
    } else if (l.msg === 'update state' && l.version === version && l.event !== undefined) first(l.event);
    else if (
      l.msg === 'rechoke pulse' &&
      l.reason === 'new-peer' &&
      hash !== undefined &&
      at['download-started'] !== undefined &&
      at['downloaded'] === undefined &&
      Array.isArray(l.torrents) &&
      l.torrents.includes(hash)
    )
      first('peer');
  }
  const downloadedFrom = at['peer'] ?? at['download-started'];
  return {
    notifyMs: gap(publishedAt, at['accepted']),
    addMs: gap(at['accepted'], at['download-started']),
    firstPeerMs: gap(at['download-started'], at['peer']),
    transferMs: gap(downloadedFrom, at['downloaded']),
    verifyMs: gap(at['downloaded'], at['payload-ok']),
    deployMs: gap(at['payload-ok'], at['deploy-ok']),
    totalMs: gap(publishedAt, at['deploy-ok']),
  };
}
