/**
 * A rollout policy (docs/rollouts.md §Policy): signed in a torrent-file++'s signed info, it
 * says which nodes install (target selector) and when (waves). Ratios are integers in
 * millionths (ppm) so every node computes the same answer; times are seconds.
 * `checkPolicy` is the one validation, used by the parser, by `create` and by the CLI.
 */
import { RolloutError } from './errors.ts';
import { parseSelector } from './selector.ts';

/** 1 = 1,000,000 ppm. */
export const PPM = 1_000_000;
export const MAX_WAVES = 10;
/** A wave starts at most a year after the issue time; grace is at most 30 days. */
export const MAX_START_S = 365 * 86_400;
export const MAX_GRACE_S = 30 * 86_400;

export interface Wave {
  /** Cumulative fraction of the targeted nodes, ppm in (0, PPM], increasing wave by wave. */
  readonly fraction: number;
  /** Earliest start, seconds after `issued`; never earlier than the wave before. */
  readonly start: number;
  /** Minimum success ratio (ppm) of all earlier waves; the first wave has none. */
  readonly gate?: number;
}

export interface RolloutPolicy {
  /** Unix seconds: the signed issue time the wave starts count from. */
  readonly issued: number;
  /** Selector text (selector.ts); absent = every node. */
  readonly target?: string;
  readonly waves: readonly Wave[];
  /** The rollout halts when a wave's failed + rolled back exceed this share (ppm) of its nodes heard from. */
  readonly errorThreshold: number;
  /** Seconds after a wave's start when unseen and lost earlier-wave nodes stop counting against its gate. */
  readonly grace: number;
  /** After grace, nodes heard from must be at least this share (ppm) of the earlier waves. */
  readonly quorum: number;
}

const bad = (what: string): never => {
  throw new RolloutError('BAD_POLICY', what);
};

function int(v: number, what: string, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    bad(`${what}: expected an integer in [${min}, ${max}], found ${v}`);
}

/** Throws a RolloutError for the first thing wrong; returns the policy unchanged. */
export function checkPolicy(p: RolloutPolicy): RolloutPolicy {
  int(p.issued, 'issued', 0, Number.MAX_SAFE_INTEGER);
  if (p.target !== undefined) parseSelector(p.target);
  if (p.waves.length === 0) bad('waves: expected at least one wave, found none');
  if (p.waves.length > MAX_WAVES)
    throw new RolloutError('TOO_LARGE', `waves: expected at most ${MAX_WAVES}, found ${p.waves.length}`);
  p.waves.forEach((w, i) => {
    const at = `waves[${i}]`;
    int(w.fraction, `${at}.fraction`, 1, PPM);
    int(w.start, `${at}.start`, 0, MAX_START_S);
    const prev = p.waves[i - 1];
    if (prev && w.fraction <= prev.fraction)
      bad(
        `${at}.fraction: expected more than the wave before (${percent(prev.fraction)}), found ${percent(w.fraction)}`,
      );
    if (prev && w.start < prev.start)
      bad(`${at}.start: expected no earlier than the wave before (${prev.start} s), found ${w.start}`);
    if (i === 0 && w.gate !== undefined) bad(`${at}.gate: the first wave has no earlier waves to gate on`);
    if (i > 0 && w.gate === undefined) bad(`${at}.gate: expected a minimum success ratio, found none`);
    if (w.gate !== undefined) int(w.gate, `${at}.gate`, 0, PPM);
  });
  int(p.errorThreshold, 'error threshold', 0, PPM);
  int(p.grace, 'grace', 0, MAX_GRACE_S);
  int(p.quorum, 'quorum', 0, PPM);
  return p;
}

/** 50000 → "5%", 1 → "0.0001%". */
export function percent(ppm: number): string {
  return `${Number((ppm / 10_000).toFixed(4))}%`;
}
