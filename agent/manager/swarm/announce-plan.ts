/**
 * When a `torrent-reannounce` will be heard, pure (levers memo §2). Transmission drops
 * a reannounce silently (the RPC still answers "success") while `now` is before its
 * gate: the tracker's min interval after the last announce — and on 3.00 and 4.0, after
 * the first announce of a start, a fixed 120 s whatever the tracker said. The manager
 * asks for a reannounce when natm names new peers for a torrent; this says whether to
 * send it now, later (when the gate opens), or not at all (the daemon's own next
 * announce comes first and carries the new peers anyway).
 */
import type { AnnounceRecord } from '../../lib/tracker/announce-log.ts';

export type AnnouncePlan =
  | { readonly kind: 'none'; readonly why: 'not-announced-yet' | 'periodic-first' }
  | { readonly kind: 'now' }
  | { readonly kind: 'at'; readonly at: number };

/** Slack for the daemon's clock, which counts whole seconds. */
export const GATE_MARGIN_MS = 250;

export function announcePlan(r: AnnounceRecord | null, firstGateS: number, now: number): AnnouncePlan {
  if (r === null || r.count === 0) return { kind: 'none', why: 'not-announced-yet' };
  const periodic = r.lastAt + r.intervalS * 1000;
  const gate =
    r.count === 1 && firstGateS > 0
      ? r.firstAt + firstGateS * 1000 + GATE_MARGIN_MS
      : r.lastAt + r.minIntervalS * 1000 + GATE_MARGIN_MS;
  if (periodic <= gate) return { kind: 'none', why: 'periodic-first' };
  return gate <= now ? { kind: 'now' } : { kind: 'at', at: gate };
}
