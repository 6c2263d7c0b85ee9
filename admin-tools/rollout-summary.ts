/** Human and JSON views of a rollout policy, for `create`, `show` and `verify`. */
import { percent, PPM, type RolloutPolicy } from '../agent/lib/rollout/policy.ts';

const iso = (s: number): string => new Date(s * 1000).toISOString();

/** 9000 → "2h30m", 0 → "0s". */
export function formatDuration(s: number): string {
  const parts: string[] = [];
  for (const [unit, n] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (s >= n) parts.push(`${Math.floor(s / n)}${unit}`);
    s %= n;
  }
  return parts.join('') || '0s';
}

export function rolloutLines(p: RolloutPolicy): string[] {
  const lines = ['rollout:', `  issued:     ${iso(p.issued)}`, `  target:     ${p.target ?? 'every node'}`];
  p.waves.forEach((w, i) => {
    const when = `from +${formatDuration(w.start)} (${iso(p.issued + w.start)})`;
    const gate = w.gate === undefined ? '' : `, when ≥ ${percent(w.gate)} of earlier waves applied`;
    lines.push(
      `  wave ${i + 1}:${' '.repeat(i + 1 < 10 ? 5 : 4)}${percent(w.fraction)} of targeted nodes ${when}${gate}`,
    );
  });
  const last = p.waves.at(-1)!.fraction;
  if (last < PPM)
    lines.push(`  (the other ${percent(PPM - last)} of targeted nodes are in no wave: they do not install)`);
  lines.push(
    `  halt:       when a wave's failed + rolled back exceed ${percent(p.errorThreshold)} of its nodes heard from`,
    `  silent:     ${formatDuration(p.grace)} after a wave's start, earlier nodes not seen or lost stop counting (quorum ${percent(p.quorum)} heard from)`,
  );
  return lines;
}

export function rolloutJson(p: RolloutPolicy): Record<string, unknown> {
  return {
    issued: iso(p.issued),
    target: p.target ?? null,
    waves: p.waves.map((w) => ({
      fraction: w.fraction / PPM,
      start: w.start,
      startsAt: iso(p.issued + w.start),
      gate: w.gate === undefined ? null : w.gate / PPM,
    })),
    errorThreshold: p.errorThreshold / PPM,
    grace: p.grace,
    quorum: p.quorum / PPM,
  };
}
