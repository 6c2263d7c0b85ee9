/** Command-line parsing on node:util parseArgs, with every mistake turned into a UsageError. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../common/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(
  argv: string[],
  options: Options,
  usage: string,
  positionals: [min: number, max: number] = [0, 0],
): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as Parsed;
  } catch (cause) {
    throw new UsageError(`${(cause as Error).message.split('\n')[0]}; usage: ${usage}`, { cause });
  }
  const n = parsed.positionals.length;
  if (n < positionals[0] || n > positionals[1]) throw new UsageError(`usage: ${usage}`);
  return parsed;
}

export function required(p: Parsed, name: string, usage: string): string {
  const v = p.values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required; usage: ${usage}`);
  return v;
}

export function optionalString(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function nonNegativeInt(text: string, name: string): number {
  if (!/^\d{1,15}$/.test(text))
    throw new UsageError(`--${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
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
