/**
 * The optional `rollout` dict of the signed info (spec §Rollout policy; docs/rollouts.md):
 *   rollout: { "error threshold": ppm, grace: s, issued: Unix s, quorum: ppm,
 *              target: "<selector>" (optional), waves: [[fraction ppm, start s], [fraction, start, gate ppm], …] }
 * Read strictly (no other keys; the first wave is 2 integers, the others 3), then checked by
 * the one policy validation (rollout/policy.ts). A policy error becomes MALFORMED (TOO_LARGE
 * for a bound) naming the field.
 */
import { MetadataError } from '../common/errors.ts';
import { RolloutError } from '../rollout/errors.ts';
import { checkPolicy, type RolloutPolicy, type Wave } from '../rollout/policy.ts';
import { MAX_SELECTOR_BYTES } from '../rollout/selector.ts';
import type { BDict, BValue } from './bencode-strict.ts';
import { intField, onlyKeys, optional, textField } from './fields.ts';

const KEYS = ['error threshold', 'grace', 'issued', 'quorum', 'target', 'waves'];

function wave(v: BValue, i: number, path: string): Wave {
  const n = i === 0 ? 2 : 3;
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number'))
    throw new MetadataError(
      'MALFORMED',
      `${path}.waves[${i}]: expected a list of ${n} integers (fraction ppm, start s${i === 0 ? '' : ', gate ppm'})`,
    );
  const [fraction, start, gate] = v as number[];
  return { fraction: fraction!, start: start!, ...(gate === undefined ? {} : { gate }) };
}

export function readRollout(d: BDict, path: string): RolloutPolicy {
  onlyKeys(d, KEYS, path);
  const list = d['waves'];
  if (!Array.isArray(list)) throw new MetadataError('MALFORMED', `${path}.waves: expected a list`);
  const target = optional(d, 'target', () => textField(d, 'target', path, MAX_SELECTOR_BYTES));
  const policy: RolloutPolicy = {
    issued: intField(d, 'issued', path),
    ...(target === undefined ? {} : { target }),
    waves: list.map((w, i) => wave(w, i, path)),
    errorThreshold: intField(d, 'error threshold', path),
    grace: intField(d, 'grace', path),
    quorum: intField(d, 'quorum', path),
  };
  try {
    return checkPolicy(policy);
  } catch (cause) {
    if (!(cause instanceof RolloutError)) throw cause;
    const code = cause.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'MALFORMED';
    throw new MetadataError(code, `${path}: ${cause.code}: ${cause.message}`, { cause });
  }
}

/** The bencode form of a policy (checked first, so `create` never signs a bad one). */
export function rolloutDict(p: RolloutPolicy): Record<string, unknown> {
  checkPolicy(p);
  return {
    'error threshold': p.errorThreshold,
    grace: p.grace,
    issued: p.issued,
    quorum: p.quorum,
    ...(p.target === undefined ? {} : { target: p.target }),
    waves: p.waves.map((w) => (w.gate === undefined ? [w.fraction, w.start] : [w.fraction, w.start, w.gate])),
  };
}
