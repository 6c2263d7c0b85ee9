/** The `versions` list of a root: version ceilings per URI prefix (docs/protocol/root.md §Versions). */
import { MetadataError } from '../common/errors.ts';
import { isDict, type BDict } from '../metainfo/bencode-strict.ts';
import { intField, onlyKeys, optional, textField } from '../metainfo/fields.ts';
import { ROOT_LIMITS } from './limits.ts';
import type { VersionRule } from './model.ts';

const KEYS = ['max ahead', 'max jump', 'max version', 'prefix'];

function parseRule(d: unknown, i: number): VersionRule {
  const path = `root.signed.versions[${i}]`;
  if (!isDict(d)) throw new MetadataError('MALFORMED', `${path}: expected a dictionary`);
  onlyKeys(d, KEYS, path);
  const prefix = textField(d, 'prefix', path, ROOT_LIMITS.maxPrefixBytes);
  const maxJump = optional(d, 'max jump', () => intField(d, 'max jump', path, 1));
  const maxVersion = optional(d, 'max version', () => intField(d, 'max version', path));
  const maxAheadS = optional(d, 'max ahead', () => intField(d, 'max ahead', path));
  if (maxJump === undefined && maxVersion === undefined && maxAheadS === undefined)
    throw new MetadataError(
      'MALFORMED',
      `${path}: expected at least one of max jump, max version, max ahead`,
    );
  return {
    prefix,
    ...(maxJump === undefined ? {} : { maxJump }),
    ...(maxVersion === undefined ? {} : { maxVersion }),
    ...(maxAheadS === undefined ? {} : { maxAheadS }),
  };
}

export function parseRules(s: BDict): VersionRule[] {
  const list = s['versions'];
  if (!Array.isArray(list)) throw new MetadataError('MALFORMED', 'root.signed.versions: expected a list');
  if (list.length > ROOT_LIMITS.maxRules)
    throw new MetadataError(
      'TOO_LARGE',
      `root: ${list.length} version rules, the limit is ${ROOT_LIMITS.maxRules}`,
    );
  const rules = list.map(parseRule);
  if (new Set(rules.map((r) => r.prefix)).size !== rules.length)
    throw new MetadataError('MALFORMED', 'root.signed.versions: a prefix is listed twice');
  return rules;
}
