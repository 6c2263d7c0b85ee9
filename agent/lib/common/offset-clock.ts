/**
 * A test hook for a process's clock (issue 19: a node whose clock is a day ahead): the
 * environment variable P2PU_TEST_CLOCK_OFFSET_MS (an integer, ms) shifts `now()` of the
 * system clock; timers are untouched. Used by test/e2e only; a process that runs with it
 * says so in its log at warn level. Bad values are a coded error, not ignored.
 */
import { systemClock, type Clock } from './clock.ts';
import { ConfigError } from './errors.ts';

export const CLOCK_OFFSET_ENV = 'P2PU_TEST_CLOCK_OFFSET_MS';

export function offsetClock(base: Clock, offsetMs: number): Clock {
  return { ...base, now: () => base.now() + offsetMs };
}

/** The system clock, shifted when the environment asks; `offsetMs` is 0 when it does not. */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): { clock: Clock; offsetMs: number } {
  const v = env[CLOCK_OFFSET_ENV];
  if (v === undefined || v === '') return { clock: systemClock, offsetMs: 0 };
  const n = Number(v);
  if (!/^-?\d{1,15}$/.test(v) || !Number.isSafeInteger(n))
    throw new ConfigError(`${CLOCK_OFFSET_ENV}: expected an integer number of ms, found "${v.slice(0, 40)}"`);
  return { clock: offsetClock(systemClock, n), offsetMs: n };
}
