/** The largest policy the bounds allow: 10 waves, a 256-byte selector of 8 terms. Shared by the metainfo tests. */
import { MAX_WAVES, PPM, type RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import { MAX_SELECTOR_BYTES, MAX_TERMS } from '../../agent/lib/rollout/selector.ts';

const terms = Array.from({ length: MAX_TERMS }, (_, i) => `k${i}=${'v'.repeat(28)}`).join(',');

export const MAX_POLICY: RolloutPolicy = {
  issued: 2 ** 53 - 1,
  target: terms.padEnd(MAX_SELECTOR_BYTES, ' '),
  waves: Array.from({ length: MAX_WAVES }, (_, i) => ({
    fraction: i === MAX_WAVES - 1 ? PPM : (i + 1) * 99_999,
    start: 31_536_000,
    ...(i === 0 ? {} : { gate: PPM }),
  })),
  errorThreshold: PPM,
  grace: 2_592_000,
  quorum: PPM,
};

/** The same policy as the bencode dict the signed info carries. */
export function maxPolicyDict(): Record<string, unknown> {
  const p = MAX_POLICY;
  return {
    'error threshold': p.errorThreshold,
    grace: p.grace,
    issued: p.issued,
    quorum: p.quorum,
    target: Buffer.from(p.target!),
    waves: p.waves.map((w) => (w.gate === undefined ? [w.fraction, w.start] : [w.fraction, w.start, w.gate])),
  };
}
