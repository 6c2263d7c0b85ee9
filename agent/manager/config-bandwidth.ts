/**
 * The manager config's `bandwidth` section (issue 18 item 5): the BitTorrent speed limits
 * of the node's transmission-daemon and a weekly window with other limits (Transmission's
 * "alternative speed" schedule), set over RPC. Absent, the manager leaves the daemon's own
 * settings alone (null too: the Ansible role's default). Limits are in kB/s as Transmission counts them (1 kB = 1000 bytes);
 * null is no limit. The window runs on the daemon's local clock; `to` before `from` spans
 * midnight.
 */
import * as z from 'zod';
import { int, list, oneOf, section } from '../lib/config/fields.ts';
import type { Frozen } from '../lib/config/load.ts';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Day = (typeof DAYS)[number];

const HHMM = 'a time "HH:MM" (00:00 to 23:59)';
/** "HH:MM" → minutes after midnight. */
const clockTime = () =>
  z.string({ error: HHMM }).transform((s, ctx): number => {
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
    if (m) return Number(m[1]) * 60 + Number(m[2]);
    ctx.issues.push({ code: 'custom', message: HHMM, input: s });
    return z.NEVER;
  });

/** kB/s, or null for no limit (Transmission keeps limits as kB/s integers). */
const limit = () => int(1, 10_000_000).nullable().default(null);

export const bandwidthSchema = section({
  downloadKBps: limit().describe('Download limit in kB/s (1000 bytes); null: none.'),
  uploadKBps: limit().describe('Upload limit in kB/s (1000 bytes); null: none.'),
  window: section({
    days: list(oneOf(DAYS), 7, 'a list of days ("sun" .. "sat")')
      .min(1, { error: 'at least one day' })
      .describe('The days the window opens on.'),
    from: clockTime().describe('Start, "HH:MM" on the daemon\'s local clock.'),
    to: clockTime().describe('End, "HH:MM"; before `from`, the window spans midnight.'),
    downloadKBps: int(1, 10_000_000).describe('Download limit in the window, kB/s.'),
    uploadKBps: int(1, 10_000_000).describe('Upload limit in the window, kB/s.'),
  })
    .refine((w) => w.from !== w.to, { error: 'a "to" other than "from"', path: ['to'] })
    .nullable()
    .default(null)
    .describe('A weekly window with other limits (e.g. business hours at a site with a thin uplink).'),
})
  .nullable()
  .optional()
  .describe(
    "transmission-daemon's speed limits, set over RPC; absent or null: the daemon's own settings stay.",
  );

export type BandwidthConfig = Frozen<NonNullable<z.output<typeof bandwidthSchema>>>;

/** Transmission's alt-speed-time-day: a bit per day, Sunday = 1 … Saturday = 64. */
export function dayMask(days: readonly Day[]): number {
  return days.reduce((m, d) => m | (1 << DAYS.indexOf(d)), 0);
}

/**
 * The session-set arguments that make the daemon follow `b` (the same on 3.00 and 4.x).
 * Without a window, the alternative limits are switched off (also if someone turned
 * them on by hand); with one, the daemon's scheduler switches them.
 */
export function sessionLimits(b: BandwidthConfig): Record<string, number | boolean> {
  const w = b.window;
  return {
    'speed-limit-down-enabled': b.downloadKBps !== null,
    'speed-limit-up-enabled': b.uploadKBps !== null,
    ...(b.downloadKBps !== null && { 'speed-limit-down': b.downloadKBps }),
    ...(b.uploadKBps !== null && { 'speed-limit-up': b.uploadKBps }),
    'alt-speed-time-enabled': w !== null,
    ...(w === null && { 'alt-speed-enabled': false }),
    ...(w !== null && {
      'alt-speed-time-begin': w.from,
      'alt-speed-time-end': w.to,
      'alt-speed-time-day': dayMask(w.days),
      'alt-speed-down': w.downloadKBps,
      'alt-speed-up': w.uploadKBps,
    }),
  };
}
