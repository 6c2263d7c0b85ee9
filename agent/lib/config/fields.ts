/**
 * Building blocks of every process's config schema (zod). Each one carries the words of
 * its "expected ..." message, so a refused value reads `config KEY: expected WORDS, found
 * VALUE` whatever check failed (issue-text.ts). Objects are strict at every depth: an
 * unknown key is refused, and the message lists the keys allowed there.
 */
import * as z from 'zod';
import { parseEndpoint, type Endpoint } from '../net/datagram.ts';

const says = (words: string) => ({ error: words });

/** A strict object: unknown keys refused (comment keys are removed before, comments.ts). */
export function section<S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `allowed here: ${allowed}` : 'an object'),
  });
}

export const text = (words = 'a non-empty string') => z.string(says(words)).min(1, says(words));

export const absPath = () =>
  z
    .string(says('an absolute path'))
    .max(4096, says('an absolute path of at most 4096 characters'))
    .regex(/^\/[^\0]*$/, says('an absolute path'));

export function int(min: number, max: number) {
  const e = says(`an integer in [${min}, ${max}]`);
  return z.int(e).min(min, e).max(max, e);
}

export function num(min: number, max: number) {
  const e = says(`a number in [${min}, ${max}]`);
  return z.number(e).min(min, e).max(max, e);
}

/** A key that is no longer here: present, it is refused with `why` (where it went). */
export function moved(why: string) {
  return z.never({ error: why }).optional().describe(`Not here: ${why}.`);
}

export const flag = () => z.boolean(says('true or false'));

/** true, false, or the one word `word` (e.g. "auto": the program decides). */
export function flagOr<const W extends string>(word: W) {
  const words = `true, false or "${word}"`;
  return z.union([z.boolean(), z.literal(word)], says(words));
}

/** A list of at most `max` items, each checked by `item`. */
export function list<T extends z.ZodType>(item: T, max: number, words = `a list of at most ${max} items`) {
  return z.array(item, says(words)).max(max, says(words));
}

export function oneOf<const V extends readonly [string, ...string[]]>(values: V) {
  return z.enum(values, says(values.map((v) => `"${v}"`).join(' or ')));
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const logLevel = () =>
  z
    .enum(LOG_LEVELS, says(LOG_LEVELS.join('|')))
    .default('info')
    .describe('pino log level');

const ENDPOINT_TEXT = 'HOST:PORT (a.b.c.d:port or [IPv6]:port)';

/** "a.b.c.d:port" or "[IPv6]:port" (port 1-65535) → Endpoint; with `anyPort`, port 0 (any free port) too. */
export function endpoint(anyPort = false) {
  return z.string(says(ENDPOINT_TEXT)).transform((s, ctx): Endpoint => {
    const any = anyPort ? /^(.*):0$/.exec(s) : null;
    const e = any ? parseEndpoint(`${any[1]}:1`) : parseEndpoint(s);
    if (e) return any ? { ...e, port: 0 } : e;
    ctx.issues.push({ code: 'custom', message: ENDPOINT_TEXT, input: s });
    return z.NEVER;
  });
}
