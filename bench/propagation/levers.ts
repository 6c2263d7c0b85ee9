/**
 * The speed levers of issue 17 as bench flags (pure): `--levers LIST` turns on exactly
 * the levers named (comma-separated; `none` for none, `all` for all) and every other one
 * off, so each can be measured alone; without the flag the manager's own defaults apply.
 * "Off" restores the behaviour before the levers. `--speed JSON` adds raw `speed.*`
 * overrides on top (variants, e.g. `{"originShaping":"complete-peer"}`).
 */
export const LEVERS = ['rechoke', 'hash', 'announce', 'completion', 'origin'] as const;
export type Lever = (typeof LEVERS)[number];

export interface LeverConfig {
  readonly speed: Record<string, unknown>;
  readonly tracker: Record<string, unknown>;
}

export function parseLevers(v: string | undefined): Set<Lever> | null {
  if (v === undefined || v === 'default') return null;
  if (v === 'none') return new Set();
  if (v === 'all') return new Set(LEVERS);
  const out = new Set<Lever>();
  for (const x of v.split(',').map((s) => s.trim())) {
    if (!(LEVERS as readonly string[]).includes(x))
      throw new Error(`--levers: unknown lever "${x}" (known: ${LEVERS.join(', ')}, or none, all)`);
    out.add(x as Lever);
  }
  return out;
}

/** The manager config sections for `on` (null: the manager's defaults), plus raw overrides. */
export function leverConfig(on: Set<Lever> | null, extra: Record<string, unknown> = {}): LeverConfig {
  if (on === null) return { speed: { ...extra }, tracker: {} };
  const has = (l: Lever) => on.has(l);
  return {
    speed: {
      rechoke: has('rechoke'),
      flushBeforeCheck: !has('hash'),
      rehashBeforeDeploy: !has('hash'),
      backdatePayload: has('hash'),
      announceKick: has('announce'),
      nearEndPollMs: has('completion') ? 100 : 0,
      originShaping: has('origin') ? 'estimate' : 'off',
      ...extra,
    },
    tracker: has('announce') ? { fastIntervalS: 1, minIntervalS: 1 } : { fastIntervalS: 0, minIntervalS: 5 },
  };
}

/** A short name for the run's lever set, for the JSON and the file names. */
export function leverLabel(on: Set<Lever> | null): string {
  if (on === null) return 'default';
  if (on.size === 0) return 'none';
  if (on.size === LEVERS.length) return 'all';
  return LEVERS.filter((l) => on.has(l)).join('+');
}
