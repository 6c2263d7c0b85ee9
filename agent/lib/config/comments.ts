/**
 * Comments in config files: a `$comment` key (a string, or a list of strings for one line
 * each) is allowed in every object of every config, and removed before validation. Keys
 * starting with "//" are the older comment style of manager.json (0.1.0) and are removed
 * the same way, so an edited conffile from that release still loads; new files use
 * `$comment` (docs/config/*.example.json).
 */
import { ConfigError } from '../common/errors.ts';
import { found, pathText } from './issue-text.ts';

export const COMMENT_KEY = '$comment';

const isComment = (v: unknown): boolean =>
  typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));

/** A copy of `json` without comment keys, at every depth. */
export function stripComments(json: unknown, path: readonly PropertyKey[] = []): unknown {
  if (Array.isArray(json)) return json.map((v, i) => stripComments(v, [...path, i]));
  if (typeof json !== 'object' || json === null) return json;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    if (k === COMMENT_KEY && !isComment(v))
      throw new ConfigError(
        `config ${pathText([...path, k])}: expected a string or a list of strings, found ${found(v)}`,
      );
    if (k !== COMMENT_KEY && !k.startsWith('//')) out[k] = stripComments(v, [...path, k]);
  }
  return out;
}

/** What the editor schemas (json-schema.ts) allow for a `$comment` value. */
export const COMMENT_JSON_SCHEMA = {
  description: 'A comment, ignored by p2p-update: a string, or a list of strings (one per line).',
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
} as const;
