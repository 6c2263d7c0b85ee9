/**
 * The fleet bed's numbers (pure): formation samples while agents start, the spread
 * summary of one notification, the JSON report and its two charts.
 */
import { quantile, round } from '../lib/stats.ts';
import { renderChart } from '../lib/svg-plot.ts';
import { livePaths, type AgentView, type PathKind } from './observe.ts';
import type { FleetPlan } from './plan.ts';

export interface FleetOptions {
  readonly agents: number;
  readonly routers: number;
  readonly publicEvery: number;
  readonly symmetricEvery: number;
  readonly staggerMs: number;
  /** Live paths every agent must hold for the overlay to count as formed. */
  readonly k: number;
  readonly pollMs: number;
  readonly formTimeoutS: number;
  readonly windowS: number;
  readonly spreadTimeoutS: number;
  readonly publisher?: string;
  /** `key`: one cluster key (cluster-key envelope); `cert`: enrolled certificates, open rendezvous. */
  readonly trust: 'key' | 'cert';
  readonly keep: boolean;
}

/** Per agent, ms since the epoch: spawned, first seen registered, first with >= k paths, first seeing all alive. */
export interface FleetTimes {
  readonly spawn: Map<string, number>;
  readonly registered: Map<string, number>;
  readonly formed: Map<string, number>;
  readonly full: Map<string, number>;
}

export function formationSample(t: FleetTimes, views: Map<string, AgentView | null>, ms: number, n: number) {
  const paths = [...views.values()].map((v) => (v ? livePaths(v) : 0));
  return {
    s: round(ms / 1000, 1),
    started: t.spawn.size,
    answering: [...views.values()].filter(Boolean).length,
    registered: t.registered.size,
    formed: t.formed.size,
    full: t.full.size,
    minPaths: paths.length === n ? Math.min(...paths) : 0,
  };
}

/** Seconds after publishing until `q` of the n agents had the notification (null: never). */
export function spreadSummary(
  reached: Map<string, number>,
  tp: number,
  n: number,
  publisher: string,
  agentTicks: number,
  rdvTicks: number,
  wallS: number,
) {
  const s = [...reached.values()].map((x) => (x - tp) / 1000).sort((a, b) => a - b);
  const at = (q: number) => {
    const need = Math.ceil(q * n);
    return s.length >= need ? round(s[need - 1]!, 2) : null;
  };
  return {
    publisher,
    reached: s.length,
    s50: at(0.5),
    s90: at(0.9),
    s100: at(1),
    curve: s.map((x, i) => [round(x, 3), (i + 1) / n] as const),
    agentsCpuS: agentTicks / 100,
    rendezvousCpuS: rdvTicks / 100,
    wallS: round(wallS, 1),
  };
}

const rel = (m: Map<string, number>, from: Map<string, number>) =>
  [...m].map(([k, v]) => (v - (from.get(k) ?? v)) / 1000);
const q3 = (xs: number[]) => ({
  p50: round(quantile(xs, 0.5), 1),
  p90: round(quantile(xs, 0.9), 1),
  max: round(quantile(xs, 1), 1),
});

export function kinds(plan: FleetPlan): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of plan.agents) out[a.kind] = (out[a.kind] ?? 0) + 1;
  return out;
}

export function pathKinds(views: Iterable<AgentView | null>) {
  const sum: Record<PathKind, number> = { direct: 0, punched: 0, relayed: 0, bridged: 0 };
  const per: number[] = [];
  for (const v of views) {
    if (!v) continue;
    for (const k of Object.keys(sum) as PathKind[]) sum[k] += v.paths[k];
    per.push(livePaths(v));
  }
  return { sum, perAgent: { min: Math.min(...per), p50: quantile(per, 0.5), max: Math.max(...per) } };
}

/** Join, formation and full-membership times (s) relative to each agent's start and to t0. */
export function formationReport(t: FleetTimes, t0: number, n: number, k: number) {
  const last = (m: Map<string, number>) =>
    m.size === n ? round((Math.max(...m.values()) - t0) / 1000, 1) : null;
  return {
    joinS: { ...q3(rel(t.registered, t.spawn)), registered: t.registered.size },
    formedS: { k, ...q3(rel(t.formed, t.spawn)), agents: t.formed.size, allAtS: last(t.formed) },
    fullMembershipS: { ...q3(rel(t.full, t.spawn)), agents: t.full.size, allAtS: last(t.full) },
    lastRegisteredAtS: last(t.registered),
    lastStartedAtS: round((Math.max(...t.spawn.values()) - t0) / 1000, 1),
  };
}

type Sample = ReturnType<typeof formationSample>;

export function charts(
  n: number,
  k: number,
  timeline: readonly Sample[],
  spread: ReturnType<typeof spreadSummary>,
) {
  const line = (label: string, color: string, f: (x: Sample) => number) => ({
    label,
    color,
    step: true,
    points: timeline.map((x) => [x.s, f(x) / n] as const),
  });
  const formation = renderChart({
    title: `natm fleet: ${n} agents in namespaces, overlay formation`,
    xLabel: 'seconds since the first agent started',
    yLabel: 'fraction of agents',
    series: [
      line('started', '#7f7f7f', (x) => x.started),
      line('registered at the rendezvous', '#1f77b4', (x) => x.registered),
      line(`>= ${k} live paths`, '#2ca02c', (x) => x.formed),
      line('sees every agent alive', '#d62728', (x) => x.full),
    ],
  });
  const spreadSvg = renderChart({
    title: `natm fleet: ${n} agents, one notification published at ${spread.publisher}`,
    xLabel: 'seconds after publishing',
    yLabel: 'fraction of agents notified',
    series: [{ label: 'notified', color: '#1f77b4', step: true, points: [[0, 0], ...spread.curve] }],
  });
  return { formation, spread: spreadSvg };
}
