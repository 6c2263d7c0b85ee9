/**
 * A node's connectivity as it reports it in its fleet-view state record (issue 19, "say
 * why"): the conditions its natm has raised (agent/natm/connectivity.ts) and its clock
 * offset against its peers (clock-offsets.ts). Wire: u8 condition bits (bit 7: an f64
 * offset follows); bits this version does not know are ignored. Also the shape natm reports
 * of itself to `status` and `members` (ConnectivityView, agent/natm/connectivity.ts).
 */
import type { Endpoint } from '../net/datagram.ts';
import type { PathType } from '../net/overlay-link.ts';
import { CodecError, type Reader, type Writer } from '../wire/codec.ts';
import type { ClockEstimate } from './clock-offsets.ts';

export const CONDITIONS = ['no_rendezvous', 'no_external', 'relayed_only', 'clock_skew'] as const;
export type Condition = (typeof CONDITIONS)[number];

/**
 * Conditions the manager reports about updates (its `state` message, issue 19 item 3), in
 * the same bits after natm's own: it refuses an update a neighbour works on and does not
 * serve it (a serve-only bound), or it downloads with no reachable source.
 */
export const UPDATE_CONDITIONS = ['not_serving', 'no_source'] as const;
export type UpdateCondition = (typeof UPDATE_CONDITIONS)[number];
export type RecordCondition = Condition | UpdateCondition;
/** Bit i of the wire's condition byte is ALL_CONDITIONS[i] (at most 7: bit 7 flags the offset). */
export const ALL_CONDITIONS: readonly RecordCondition[] = [...CONDITIONS, ...UPDATE_CONDITIONS];

export const UPDATE_CONDITION_TEXT: Record<UpdateCondition, string> = {
  not_serving: 'refuses an update a neighbour needs and does not serve it',
  no_source: 'downloading with no reachable source',
};

/** One line per condition: natm's warn message when it is raised, and `status`'s words. */
export const CONDITION_TEXT: Record<Condition, string> = {
  no_rendezvous: 'no working rendezvous',
  no_external: 'no external endpoint',
  relayed_only: 'only relayed paths',
  clock_skew: 'clock skew against peers',
};

export interface NodeHealth {
  readonly conditions: readonly RecordCondition[];
  /** The node's clock minus its peers' median (ms); null when it has no sample. */
  readonly clockOffsetMs: number | null;
}

export const UNKNOWN_HEALTH: NodeHealth = Object.freeze({ conditions: [], clockOffsetMs: null });

/** Offsets beyond this (about 300 years) are not a clock: refused on read, clamped on write. */
const MAX_OFFSET = 1e13;
const HAS_OFFSET = 0x80;

export function writeHealth(w: Writer, h: NodeHealth): void {
  let bits = 0;
  for (const c of h.conditions) bits |= 1 << ALL_CONDITIONS.indexOf(c);
  const o = h.clockOffsetMs;
  if (o === null || !Number.isFinite(o)) return void w.u8(bits);
  w.u8(bits | HAS_OFFSET).f64(Math.max(-MAX_OFFSET, Math.min(MAX_OFFSET, Math.round(o))));
}

export function readHealth(r: Reader): NodeHealth {
  const bits = r.u8();
  const conditions = ALL_CONDITIONS.filter((_, i) => bits & (1 << i));
  if (!(bits & HAS_OFFSET)) return { conditions, clockOffsetMs: null };
  const o = r.f64();
  if (!Number.isInteger(o) || Math.abs(o) > MAX_OFFSET) throw new CodecError('clock offset out of range');
  return { conditions, clockOffsetMs: o };
}

export function sameHealth(a: NodeHealth, b: NodeHealth): boolean {
  return a.conditions.join() === b.conditions.join() && a.clockOffsetMs === b.clockOffsetMs;
}

export type PathCounts = Record<PathType | 'none', number>;

export interface Observation {
  readonly rendezvous: {
    readonly configured: number;
    readonly alive: number;
    /** Last authenticated packet from any rendezvous (ms), null if never. */
    readonly lastContact: number | null;
  };
  readonly external: Endpoint | null;
  readonly paths: PathCounts;
  readonly clock: ClockEstimate;
}

export interface Transition {
  readonly condition: Condition;
  readonly raised: boolean;
  /** When the condition started to hold (raised) or was raised (cleared), ms. */
  readonly since: number;
}

/** What `status` and `members` show of this node. */
export interface ConnectivityView extends Observation {
  readonly state: 'ok' | 'degraded';
  readonly conditions: readonly Condition[];
}
