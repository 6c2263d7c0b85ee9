/**
 * `create`'s rollout flags → a signed rollout policy (docs/rollouts.md §Creating). One pure
 * function over the flag values, so the commander CLI can wire it as it is:
 *   --target SELECTOR       e.g. "ring=canary", "site in (a,b), hw!=rpi3"   (default: every node)
 *   --waves LIST            FRACTION@START[:GATE],…  e.g. 0.05@0h,0.5@2h:0.95,1@6h:0.95
 *                           (default 1@0: one wave; the first wave takes no gate, later
 *                           ones default to 0.95)
 *   --error-threshold R     halt share of failed + rolled back per wave (default 0.05)
 *   --grace DURATION        after a wave's start, silent nodes stop counting (default 30m)
 *   --quorum R              heard-from share needed after grace (default 0.5)
 *   --rollout FILE.json     the same as JSON: {"target", "waves", "errorThreshold", "grace", "quorum"}
 * Ratios are 0…1 with up to 6 decimals or a percentage ("5%"); durations 0, 90s, 30m, 2h, 1d.
 * No flag at all: no policy (every node installs at once, as before).
 */
import { UsageError } from '../agent/lib/common/errors.ts';
import { RolloutError } from '../agent/lib/rollout/errors.ts';
import { checkPolicy, PPM, type RolloutPolicy, type Wave } from '../agent/lib/rollout/policy.ts';
import { formatSelector, parseSelector } from '../agent/lib/rollout/selector.ts';

export interface RolloutFlags {
  readonly target?: string;
  readonly waves?: string;
  readonly errorThreshold?: string;
  readonly grace?: string;
  readonly quorum?: string;
  /** The text of --rollout FILE.json. */
  readonly rolloutJson?: string;
}

export const ROLLOUT_DEFAULTS = {
  waves: '1@0',
  errorThreshold: '0.05',
  grace: '30m',
  quorum: '0.5',
  gate: '0.95',
};
const JSON_KEYS = ['target', 'waves', 'errorThreshold', 'grace', 'quorum'] as const;
const FLAG = {
  target: 'target',
  waves: 'waves',
  errorThreshold: 'error-threshold',
  grace: 'grace',
  quorum: 'quorum',
};
const UNIT = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

export function ratio(text: string, flag: string): number {
  const pct = /^(\d{1,3})(?:\.(\d{1,4}))?%$/.exec(text);
  const dec = /^([01])(?:\.(\d{1,6}))?$/.exec(text);
  const m = pct ?? dec;
  if (!m) throw new UsageError(`${flag}: expected a ratio such as 0.05 or 5%, got "${text}"`);
  const digits = pct ? 4 : 6;
  const ppm = Number(m[1]) * (pct ? 10_000 : PPM) + Number((m[2] ?? '').padEnd(digits, '0'));
  if (ppm > PPM) throw new UsageError(`${flag}: expected at most 1 (100%), got "${text}"`);
  return ppm;
}

export function duration(text: string, flag: string): number {
  const m = /^(\d{1,8})([smhd]?)$/.exec(text);
  if (!m || (m[2] === '' && m[1] !== '0'))
    throw new UsageError(`${flag}: expected a duration such as 0, 90s, 30m, 2h or 1d, got "${text}"`);
  return Number(m[1]) * UNIT[(m[2] || 's') as keyof typeof UNIT];
}

export function parseWaves(text: string): Wave[] {
  return text.split(',').map((item, i) => {
    const m = /^([^@:]+)@([^@:]+)(?::([^@:]+))?$/.exec(item.trim());
    const at = `--waves item ${i + 1} ("${item.trim()}")`;
    if (!m) throw new UsageError(`${at}: expected FRACTION@START[:GATE], e.g. 0.5@2h:0.95`);
    if (i === 0 && m[3] !== undefined)
      throw new UsageError(`${at}: the first wave has no earlier waves to gate on; drop ":${m[3]}"`);
    const gate = i === 0 ? undefined : ratio(m[3] ?? ROLLOUT_DEFAULTS.gate, `${at} gate`);
    return {
      fraction: ratio(m[1]!, `${at} fraction`),
      start: duration(m[2]!, `${at} start`),
      ...(gate === undefined ? {} : { gate }),
    };
  });
}

function fromJson(text: string): RolloutFlags {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`--rollout: not JSON (${(cause as Error).message.slice(0, 80)})`, { cause });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new UsageError(
      '--rollout: expected a JSON object {"target", "waves", "errorThreshold", "grace", "quorum"}',
    );
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!(JSON_KEYS as readonly string[]).includes(k))
      throw new UsageError(`--rollout: unknown key "${k.slice(0, 40)}" (known: ${JSON_KEYS.join(', ')})`);
    if (typeof x !== 'string' && typeof x !== 'number')
      throw new UsageError(`--rollout: "${k}" must be a string or a number`);
    out[k] = String(x);
  }
  return out;
}

/** The policy the flags describe, issued at `nowMs`; undefined when no rollout flag is given. */
export function policyFromFlags(flags: RolloutFlags, nowMs: number): RolloutPolicy | undefined {
  const given = JSON_KEYS.filter((k) => flags[k] !== undefined);
  if (flags.rolloutJson !== undefined && given.length > 0)
    throw new UsageError(`--rollout FILE and --${FLAG[given[0]!]} are exclusive: put everything in the file`);
  const f = flags.rolloutJson === undefined ? flags : fromJson(flags.rolloutJson);
  if (flags.rolloutJson === undefined && given.length === 0) return undefined;
  try {
    return checkPolicy({
      issued: Math.floor(nowMs / 1000),
      ...(f.target === undefined ? {} : { target: formatSelector(parseSelector(f.target)) }),
      waves: parseWaves(f.waves ?? ROLLOUT_DEFAULTS.waves),
      errorThreshold: ratio(f.errorThreshold ?? ROLLOUT_DEFAULTS.errorThreshold, '--error-threshold'),
      grace: duration(f.grace ?? ROLLOUT_DEFAULTS.grace, '--grace'),
      quorum: ratio(f.quorum ?? ROLLOUT_DEFAULTS.quorum, '--quorum'),
    });
  } catch (cause) {
    if (cause instanceof RolloutError)
      throw new UsageError(`rollout: ${cause.code}: ${cause.message}`, { cause });
    throw cause;
  }
}
