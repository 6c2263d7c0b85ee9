/** Policy validation (agent/lib/rollout/policy.ts): every field at its bounds, one past them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RolloutError, type RolloutCode } from '../../agent/lib/rollout/errors.ts';
import {
  checkPolicy,
  MAX_GRACE_S,
  MAX_START_S,
  MAX_WAVES,
  percent,
  PPM,
  type RolloutPolicy,
} from '../../agent/lib/rollout/policy.ts';

const base: RolloutPolicy = {
  issued: 1_800_000_000,
  target: 'ring=canary',
  waves: [
    { fraction: 50_000, start: 0 },
    { fraction: 500_000, start: 7200, gate: 950_000 },
    { fraction: PPM, start: 21_600, gate: 950_000 },
  ],
  errorThreshold: 20_000,
  grace: 1800,
  quorum: 500_000,
};
const refused = (p: Partial<RolloutPolicy>, code: RolloutCode, re: RegExp) =>
  assert.throws(
    () => checkPolicy({ ...base, ...p }),
    (e: unknown) => e instanceof RolloutError && e.code === code && re.test(e.message),
    `${JSON.stringify(p)} should be ${code}`,
  );
const waves = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    fraction: Math.round(((i + 1) * PPM) / n),
    start: i * 60,
    ...(i === 0 ? {} : { gate: PPM }),
  }));

describe('rollout policy validation', () => {
  it('accepts a canary policy and every value at its bounds', () => {
    assert.equal(checkPolicy(base), base);
    checkPolicy({ ...base, target: undefined });
    checkPolicy({ ...base, waves: waves(MAX_WAVES) });
    checkPolicy({ ...base, waves: [{ fraction: 1, start: MAX_START_S }] });
    checkPolicy({
      ...base,
      waves: [
        { fraction: 1, start: 0 },
        { fraction: 2, start: 0, gate: 0 },
      ],
    });
    checkPolicy({ ...base, errorThreshold: 0, quorum: 0, grace: 0, issued: 0 });
    checkPolicy({
      ...base,
      errorThreshold: PPM,
      quorum: PPM,
      grace: MAX_GRACE_S,
      issued: Number.MAX_SAFE_INTEGER,
    });
  });

  it('refuses wave lists that are empty, too long, not increasing or wrongly gated', () => {
    refused({ waves: [] }, 'BAD_POLICY', /at least one wave/);
    refused(
      { waves: waves(MAX_WAVES + 1) },
      'TOO_LARGE',
      new RegExp(`at most ${MAX_WAVES}, found ${MAX_WAVES + 1}`),
    );
    refused(
      { waves: [{ fraction: 0, start: 0 }] },
      'BAD_POLICY',
      /waves\[0\].fraction: expected an integer in \[1, 1000000\], found 0/,
    );
    refused({ waves: [{ fraction: PPM + 1, start: 0 }] }, 'BAD_POLICY', /waves\[0\].fraction/);
    refused({ waves: [{ fraction: 0.5, start: 0 }] }, 'BAD_POLICY', /waves\[0\].fraction/);
    refused({ waves: [{ fraction: 1, start: MAX_START_S + 1 }] }, 'BAD_POLICY', /waves\[0\].start/);
    refused({ waves: [{ fraction: 1, start: -1 }] }, 'BAD_POLICY', /waves\[0\].start/);
    const twoOf = (a: object, b: object) => ({
      waves: [
        { fraction: 500_000, start: 60, ...a },
        { fraction: PPM, start: 60, gate: PPM, ...b },
      ],
    });
    refused(
      twoOf({}, { fraction: 500_000 }),
      'BAD_POLICY',
      /waves\[1\].fraction: expected more than the wave before \(50%\), found 50%/,
    );
    refused(
      twoOf({}, { start: 59 }),
      'BAD_POLICY',
      /waves\[1\].start: expected no earlier than the wave before \(60 s\)/,
    );
    refused(twoOf({ gate: PPM }, {}), 'BAD_POLICY', /waves\[0\].gate: the first wave has no earlier waves/);
    refused(
      twoOf({}, { gate: undefined }),
      'BAD_POLICY',
      /waves\[1\].gate: expected a minimum success ratio/,
    );
    refused(twoOf({}, { gate: PPM + 1 }), 'BAD_POLICY', /waves\[1\].gate/);
    refused(twoOf({}, { gate: -1 }), 'BAD_POLICY', /waves\[1\].gate/);
  });

  it('refuses ratios, times and selectors out of range', () => {
    refused({ errorThreshold: PPM + 1 }, 'BAD_POLICY', /error threshold/);
    refused({ errorThreshold: -1 }, 'BAD_POLICY', /error threshold/);
    refused({ quorum: PPM + 1 }, 'BAD_POLICY', /quorum/);
    refused({ grace: MAX_GRACE_S + 1 }, 'BAD_POLICY', /grace/);
    refused({ issued: -1 }, 'BAD_POLICY', /issued/);
    refused({ issued: 2 ** 53 }, 'BAD_POLICY', /issued/);
    refused({ target: 'ring=' }, 'BAD_SELECTOR', /tag value/);
    refused({ target: '' }, 'BAD_SELECTOR', /at least one term/);
  });

  it('percent() prints ppm exactly', () => {
    assert.equal(percent(50_000), '5%');
    assert.equal(percent(1), '0.0001%');
    assert.equal(percent(PPM), '100%');
    assert.equal(percent(123_456), '12.3456%');
  });
});
