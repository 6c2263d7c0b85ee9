/**
 * A node's rank and wave (agent/lib/rollout/rank.ts): deterministic, uniform over 10,000 ids
 * (chi-square), independent between updates, and exact at wave boundaries.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { PPM } from '../../agent/lib/rollout/policy.ts';
import { rankOf, WaveMemo, waveOf } from '../../agent/lib/rollout/rank.ts';

const ids = Array.from({ length: 10_000 }, (_, i) =>
  createHash('sha256').update(`node ${i}`).digest('hex').slice(0, 32),
);
const TWO_48 = 2 ** 48;

describe('rank', () => {
  it('is deterministic, in [0, 1), and depends on node, uri and version', () => {
    const r = rankOf(ids[0]!, 'app:/opt/demo', 7);
    assert.equal(rankOf(ids[0]!, 'app:/opt/demo', 7), r);
    assert.ok(r >= 0 && r < 1);
    assert.notEqual(rankOf(ids[1]!, 'app:/opt/demo', 7), r);
    assert.notEqual(rankOf(ids[0]!, 'app:/opt/other', 7), r);
    assert.notEqual(rankOf(ids[0]!, 'app:/opt/demo', 8), r);
    // The hashed bytes are a bencoded list: moving a character between id and uri changes the rank.
    assert.notEqual(rankOf('ab', 'c:x', 1), rankOf('a', 'bc:x', 1));
  });

  it('is uniform: chi-square over 20 buckets of 10,000 ids below the 0.999 quantile (43.8, 19 d.f.)', () => {
    for (const [uri, version] of [
      ['app:/opt/demo', 1],
      ['pkg:/nginx', 42],
    ] as const) {
      const buckets = new Array<number>(20).fill(0);
      for (const id of ids) buckets[Math.floor(rankOf(id, uri, version) * 20)]!++;
      const expected = ids.length / 20;
      const chi2 = buckets.reduce((a, n) => a + (n - expected) ** 2 / expected, 0);
      assert.ok(chi2 < 43.8, `chi-square ${chi2.toFixed(1)} for ${uri}@${version}: ${buckets.join(' ')}`);
    }
  });

  it('waves of two updates are independent: the 5% canary of v1 and of v2 share about 5% of their nodes', () => {
    const canary = (v: number) => new Set(ids.filter((id) => rankOf(id, 'app:/opt/demo', v) < 0.05));
    const a = canary(1);
    const b = canary(2);
    const both = [...a].filter((id) => b.has(id)).length;
    // Expected 10,000 × 0.05 × 0.05 = 25; binomial sd ≈ 4.9: accept 25 ± 5 sd.
    assert.ok(a.size > 400 && a.size < 600, `canary size ${a.size}`);
    assert.ok(both >= 1 && both <= 50, `shared canaries ${both}`);
  });
});

describe('waveOf', () => {
  const waves = [
    { fraction: 50_000, start: 0 },
    { fraction: 500_000, start: 0, gate: 0 },
    { fraction: 900_000, start: 0, gate: 0 },
  ];
  it('the first wave whose cumulative fraction exceeds the rank, exact at the boundary', () => {
    assert.equal(waveOf(0, waves), 0);
    // 0.05 · 2^48 = 14073748835532.8: rank 14073748835532 / 2^48 is below 5%, the next one is not.
    assert.equal(waveOf(14_073_748_835_532 / TWO_48, waves), 0);
    assert.equal(waveOf(14_073_748_835_533 / TWO_48, waves), 1);
    // 0.5 · 2^48 is an integer: a rank exactly at the fraction belongs to the next wave.
    assert.equal(waveOf((TWO_48 / 2 - 1) / TWO_48, waves), 1);
    assert.equal(waveOf(0.5, waves), 2);
  });

  it('a rank at or past the last fraction is in no wave (-1); with a last fraction of 1 every rank has one', () => {
    // 0.9 · 2^48 = 253327479039590.4
    assert.equal(waveOf(253_327_479_039_590 / TWO_48, waves), 2);
    assert.equal(waveOf(253_327_479_039_591 / TWO_48, waves), -1);
    assert.equal(waveOf((TWO_48 - 1) / TWO_48, waves), -1);
    assert.equal(waveOf((TWO_48 - 1) / TWO_48, [...waves, { fraction: PPM, start: 0, gate: 0 }]), 3);
  });

  it('WaveMemo gives the same waves as rankOf + waveOf, and stays within its bound', () => {
    const m = new WaveMemo('app:/opt/demo', 3, waves, 100);
    for (const id of ids.slice(0, 1000))
      assert.equal(m.wave(id), waveOf(rankOf(id, 'app:/opt/demo', 3), waves));
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[m.wave(id) + 1]!++;
    // 10% in no wave, 5% / 45% / 40% in waves 1–3, each within 1.5 percentage points.
    for (const [i, share] of [0.1, 0.05, 0.45, 0.4].entries())
      assert.ok(Math.abs(counts[i]! / ids.length - share) < 0.015, `share ${i - 1}: ${counts[i]}`);
  });
});
