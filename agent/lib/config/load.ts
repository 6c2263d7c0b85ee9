/**
 * The one config loader of every process: a JSON file (read with a size bound), comment
 * keys removed (comments.ts), checked against the process's zod schema, defaults applied,
 * returned deeply frozen. Any refusal is a ConfigError with a one-line message naming the
 * key path, what was expected and what was found (issue-text.ts).
 */
import { open } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError } from '../common/errors.ts';
import { stripComments } from './comments.ts';
import { fallbackWords, issueText } from './issue-text.ts';
import { parseJsonText } from './json-text.ts';

/** A config file is at most this many bytes (the largest shipped one is under 8 KiB). */
export const MAX_CONFIG_BYTES = 1 << 20;

export type Frozen<T> = T extends (infer E)[]
  ? readonly Frozen<E>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

export function deepFreeze<T>(o: T): Frozen<T> {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o as Frozen<T>;
}

/** Plain JSON in (already parsed), the schema's frozen output out. Pure. */
export function parseConfig<S extends z.ZodType>(schema: S, json: unknown): Frozen<z.output<S>> {
  const r = schema.safeParse(stripComments(json), { reportInput: true, error: fallbackWords });
  if (!r.success) throw new ConfigError(issueText(r.error.issues));
  return deepFreeze(r.data);
}

/** The parsed JSON of a config file, refusing one over MAX_CONFIG_BYTES without reading it all. */
export async function readConfigJson(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
      let n = 0;
      while (n < buf.length) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n);
        if (bytesRead === 0) break;
        n += bytesRead;
      }
      bytes = buf.subarray(0, n);
    } finally {
      await fh.close();
    }
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`config file ${path}: cannot read (${code})`, { cause });
  }
  if (bytes.length > MAX_CONFIG_BYTES)
    throw new ConfigError(`config file ${path}: larger than ${MAX_CONFIG_BYTES} bytes`);
  return parseJsonText(bytes.toString('utf8'), path);
}

export async function loadConfigFile<S extends z.ZodType>(
  schema: S,
  path: string,
): Promise<Frozen<z.output<S>>> {
  return parseConfig(schema, await readConfigJson(path));
}
