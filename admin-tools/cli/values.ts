/**
 * Parsers of option values, run by commander while it reads the command line: a value
 * that does not fit is a UsageError (exit 2) naming the option and what it got.
 */
import { UsageError } from '../../agent/lib/common/errors.ts';

export function nonNegativeInt(option: string): (text: string) => number {
  return (text) => {
    if (!/^\d{1,15}$/.test(text))
      throw new UsageError(`${option} must be a non-negative integer, got "${text}"`);
    return Number(text);
  };
}

/** "2027-01-31", "2027-01-31T12:00:00Z", "30d", "12h", "45m" or Unix seconds → Unix seconds. */
export function parseWhen(text: string, nowMs: number): number {
  const rel = /^(\d{1,6})([dhm])$/.exec(text);
  if (rel) {
    const unit = { d: 86400, h: 3600, m: 60 }[rel[2] as 'd' | 'h' | 'm'];
    return Math.floor(nowMs / 1000) + Number(rel[1]) * unit;
  }
  if (/^\d{9,12}$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new UsageError(
      `--expires: expected a date (2027-01-31), a duration (30d, 12h) or Unix seconds, got "${text}"`,
    );
  return Math.floor(t / 1000);
}

/** "500ms", "5s", "10m", "1h" or a number of seconds → milliseconds. */
export function duration(option: string): (text: string) => number {
  return (text) => {
    const m = /^(\d{1,9})(ms|s|m|h)?$/.exec(text);
    if (!m) throw new UsageError(`${option}: expected a duration like 500ms, 5s, 10m or 1h, got "${text}"`);
    return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  };
}

export function resourceUri(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(text))
    throw new UsageError(`--uri must look like scheme:resource (app:/opt/demo), got "${text}"`);
  return text;
}

export function httpUrl(option: string): (text: string) => string {
  return (text) => {
    if (!/^https?:\/\//.test(text)) throw new UsageError(`${option} must be an http(s) URL, got "${text}"`);
    return text;
  };
}

/** A repeatable option: each use adds a value. */
export function collect(option: string): (text: string, previous?: string[]) => string[] {
  return (text, previous = []) => {
    if (text === '') throw new UsageError(`${option} needs a value`);
    return [...previous, text];
  };
}

/** "SHA256:" and 43 base64 characters: a CA key's fingerprint (ca init, ca list). */
export function caFingerprint(option: string): (text: string) => string {
  return (text) => {
    if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(text))
      throw new UsageError(
        `${option}: expected SHA256: and 43 base64 characters (p2p-update ca list), got "${text}"`,
      );
    return text;
  };
}
