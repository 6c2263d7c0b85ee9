/** create's rollout flags → policy (admin-tools/rollout-flags.ts): forms accepted, defaults, and each mistake a usage error. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration, parseWaves, policyFromFlags, ratio } from '../../admin-tools/rollout-flags.ts';
import { formatDuration } from '../../admin-tools/rollout-summary.ts';
import { UsageError } from '../../agent/lib/common/errors.ts';

const NOW = Date.parse('2026-12-01T12:00:00.700Z');
const usage = (f: () => unknown, re: RegExp) =>
  assert.throws(
    f,
    (e: unknown) => e instanceof UsageError && re.test(e.message),
    `expected a usage error ${re}`,
  );

describe('rollout flags', () => {
  it('ratios: decimals up to 6 places or percentages up to 4, exact in ppm', () => {
    assert.equal(ratio('0.05', 'x'), 50_000);
    assert.equal(ratio('5%', 'x'), 50_000);
    assert.equal(ratio('0.000001', 'x'), 1);
    assert.equal(ratio('12.3456%', 'x'), 123_456);
    assert.equal(ratio('1', 'x'), 1_000_000);
    assert.equal(ratio('1.0', 'x'), 1_000_000);
    assert.equal(ratio('100%', 'x'), 1_000_000);
    assert.equal(ratio('0', 'x'), 0);
    for (const bad of ['1.1', '101%', '0.0000001', '.5', '-0.1', '5 %', 'half', '', '1e-2'])
      usage(() => ratio(bad, '--quorum'), /--quorum: expected|at most 1/);
  });

  it('durations: 0, s, m, h, d', () => {
    assert.deepEqual(
      ['0', '90s', '30m', '2h', '1d', '45'].map((d) => {
        try {
          return duration(d, 'x');
        } catch {
          return null;
        }
      }),
      [0, 90, 1800, 7200, 86_400, null],
    );
    for (const bad of ['1w', '-1h', '1.5h', 'h', '2h30m'])
      usage(() => duration(bad, '--grace'), /--grace: expected a duration/);
    assert.equal(formatDuration(9000), '2h30m');
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(90_061), '1d1h1m1s');
  });

  it('waves: FRACTION@START[:GATE]; no gate on the first wave, 0.95 by default on the others', () => {
    assert.deepEqual(parseWaves('0.05@0h,0.5@2h:0.9,1@6h'), [
      { fraction: 50_000, start: 0 },
      { fraction: 500_000, start: 7200, gate: 900_000 },
      { fraction: 1_000_000, start: 21_600, gate: 950_000 },
    ]);
    usage(
      () => parseWaves('0.05@0h:1.0,1@2h'),
      /item 1 .*the first wave has no earlier waves to gate on; drop ":1.0"/,
    );
    usage(() => parseWaves('0.05,1@2h'), /item 1 \("0.05"\): expected FRACTION@START\[:GATE\]/);
    usage(() => parseWaves('0.05@0h,,1@2h'), /item 2/);
    usage(() => parseWaves('0.05@0h,1@2h:0.9:1'), /item 2/);
  });

  it('no flag: no policy; one flag: the defaults for the rest, issued now (whole seconds)', () => {
    assert.equal(policyFromFlags({}, NOW), undefined);
    assert.deepEqual(policyFromFlags({ target: 'ring = canary' }, NOW), {
      issued: Math.floor(NOW / 1000),
      target: 'ring=canary',
      waves: [{ fraction: 1_000_000, start: 0 }],
      errorThreshold: 50_000,
      grace: 1800,
      quorum: 500_000,
    });
  });

  it('--rollout FILE.json: the same keys; exclusive with the flags; unknown keys refused', () => {
    const json = JSON.stringify({
      target: 'hw!=rpi3',
      waves: '0.1@0,1@1h',
      errorThreshold: 0.02,
      grace: '10m',
      quorum: '80%',
    });
    assert.deepEqual(policyFromFlags({ rolloutJson: json }, NOW), {
      issued: Math.floor(NOW / 1000),
      target: 'hw!=rpi3',
      waves: [
        { fraction: 100_000, start: 0 },
        { fraction: 1_000_000, start: 3600, gate: 950_000 },
      ],
      errorThreshold: 20_000,
      grace: 600,
      quorum: 800_000,
    });
    assert.ok(policyFromFlags({ rolloutJson: '{}' }, NOW), 'an empty file is a policy with every default');
    usage(
      () => policyFromFlags({ rolloutJson: json, errorThreshold: '0.1' }, NOW),
      /--rollout FILE and --error-threshold are exclusive/,
    );
    usage(() => policyFromFlags({ rolloutJson: '{"wave": "1@0"}' }, NOW), /unknown key "wave"/);
    usage(() => policyFromFlags({ rolloutJson: '[1]' }, NOW), /expected a JSON object/);
    usage(
      () => policyFromFlags({ rolloutJson: '{"target": ["a"]}' }, NOW),
      /"target" must be a string or a number/,
    );
    usage(() => policyFromFlags({ rolloutJson: '{' }, NOW), /--rollout: not JSON/);
  });

  it('a policy the validation refuses is a usage error carrying its code', () => {
    usage(() => policyFromFlags({ target: 'hw==x' }, NOW), /rollout: BAD_SELECTOR: column 4/);
    usage(
      () => policyFromFlags({ waves: '0.5@1h,0.4@2h' }, NOW),
      /rollout: BAD_POLICY: waves\[1\].fraction: expected more than the wave before \(50%\), found 40%/,
    );
    usage(() => policyFromFlags({ waves: '0.5@2h,1@1h' }, NOW), /BAD_POLICY: waves\[1\].start/);
    usage(
      () => policyFromFlags({ waves: Array.from({ length: 11 }, (_, i) => `0.0${i + 1}@0`).join(',') }, NOW),
      /TOO_LARGE: waves: expected at most 10/,
    );
    usage(() => policyFromFlags({ grace: '31d' }, NOW), /BAD_POLICY: grace/);
  });
});
