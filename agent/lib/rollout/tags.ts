/**
 * Node tags (docs/rollouts.md §Tags): `key=value` pairs from the node's config (the Ansible
 * role sets them: `ring=canary`, `site=glasgow`, `hw=rpi4`), carried in its state record and
 * matched by a rollout's target selector. Keys are unique per node.
 * Bounds keep them inside one length-prefixed string of a state record: at most MAX_TAGS,
 * a key of 1–16 characters [a-z0-9_-] starting with a letter, a value of 1–32 characters
 * [A-Za-z0-9._-], and `k=v,k=v…` at most MAX_TAGS_BYTES in all.
 */
import { RolloutError, type RolloutCode } from './errors.ts';

export const MAX_TAGS = 8;
export const MAX_TAGS_BYTES = 255;
export const TAG_KEY_RE = /^[a-z][a-z0-9_-]{0,15}$/;
export const TAG_VALUE_RE = /^[A-Za-z0-9._-]{1,32}$/;

export type Tags = ReadonlyMap<string, string>;

const show = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

export function checkTagKey(key: string, where: string, code: RolloutCode = 'BAD_TAGS'): string {
  if (!TAG_KEY_RE.test(key))
    throw new RolloutError(
      code,
      `${where}: expected a tag key of 1–16 characters [a-z0-9_-] starting with a letter, found ${show(key)}`,
    );
  return key;
}

export function checkTagValue(value: string, where: string, code: RolloutCode = 'BAD_TAGS'): string {
  if (!TAG_VALUE_RE.test(value))
    throw new RolloutError(
      code,
      `${where}: expected a tag value of 1–32 characters [A-Za-z0-9._-], found ${show(value)}`,
    );
  return value;
}

/** `["ring=canary", "hw=rpi4"]` → tags; refuses duplicates, bad characters and every bound. */
export function parseTags(list: readonly string[]): Tags {
  if (list.length > MAX_TAGS)
    throw new RolloutError('TOO_LARGE', `tags: expected at most ${MAX_TAGS}, found ${list.length}`);
  const tags = new Map<string, string>();
  for (const [i, item] of list.entries()) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new RolloutError('BAD_TAGS', `tags[${i}]: expected key=value, found ${show(item)}`);
    const key = checkTagKey(item.slice(0, eq), `tags[${i}]`);
    const value = checkTagValue(item.slice(eq + 1), `tags[${i}] (${key})`);
    if (tags.has(key)) throw new RolloutError('BAD_TAGS', `tags[${i}]: key "${key}" is given twice`);
    tags.set(key, value);
  }
  const bytes = formatTags(tags).length;
  if (bytes > MAX_TAGS_BYTES)
    throw new RolloutError('TOO_LARGE', `tags: ${bytes} bytes as k=v,k=v, the limit is ${MAX_TAGS_BYTES}`);
  return tags;
}

/** Tags as `k=v,k=v`, keys sorted: the form a state record carries (all ASCII). */
export function formatTags(tags: Tags): string {
  return [...tags.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The inverse of formatTags (a record's tag string); the same bounds, '' is no tags. */
export function parseTagString(text: string): Tags {
  if (text.length > MAX_TAGS_BYTES)
    throw new RolloutError('TOO_LARGE', `tags: ${text.length} bytes, the limit is ${MAX_TAGS_BYTES}`);
  return parseTags(text === '' ? [] : text.split(','));
}
