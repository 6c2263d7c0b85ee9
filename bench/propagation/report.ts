/**
 * The propagation benchmark's JSON report and plot (pure): completion times of both
 * systems, the Kumar–Ross bound, the ratios the issue asks for, Transmission's fixed
 * delays, and bytes per access link.
 */
import type { Bounds } from '../lib/kumar-ross.ts';
import { max, median, round } from '../lib/stats.ts';
import { completionSteps, renderChart } from '../lib/svg-plot.ts';
import type { Milestones } from './timeline.ts';

/**
 * bittorrent-only: transmission-daemons + harness peer trackers, done = downloaded.
 * manager: + `p2p-update manager` per node, no natm (static peers, notification simulated
 * by dropping the torrent into every inbox at once), done = deployed.
 * full-stack: + natm (overlay notification and peers), done = deployed.
 */
export type Mode = 'bittorrent-only' | 'manager' | 'full-stack';

export interface RunParams {
  readonly nodes: number;
  readonly nattedNodes: number;
  readonly fileBytes: number;
  readonly rateMbit: number;
  readonly mode: Mode;
}

export interface P2pOutcome {
  readonly perNode: ReadonlyMap<string, Milestones>;
  readonly originLinkUpBytes: number;
  readonly originPayloadUpBytes: number;
  readonly originSeedingS: number | null;
  readonly originFirstUploadS: number | null;
  readonly links: ReadonlyMap<string, { up: number; down: number }>;
  readonly corruptBytes: number;
  /** Seconds after publish each node deployed (modes with the manager). */
  readonly deployedS?: ReadonlyMap<string, number>;
  /** CPU the swarm's processes used during the p2p phase (all nodes on this machine). */
  readonly cpu?: {
    readonly wallS: number;
    readonly transmissionCpuS: number;
    readonly managerCpuS: number;
    readonly natmCpuS: number;
    readonly loadavg: readonly number[];
  };
}

export interface CentralOutcome {
  readonly perNode: ReadonlyMap<string, { seconds: number; firstByteS: number }>;
  readonly originLinkUpBytes: number;
}

const r = (x: number | null) => (x === null ? null : round(x, 2));
const finite = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null && Number.isFinite(x));

/** Per node: deployed (manager modes) or downloaded (bittorrent-only), seconds after publish. */
export function p2pDone(p: P2pOutcome): Map<string, number | null> {
  return new Map([...p.perNode].map(([n, m]) => [n, p.deployedS ? (p.deployedS.get(n) ?? null) : m.doneS]));
}

export function p2pTimes(p: P2pOutcome): number[] {
  return finite([...p2pDone(p).values()]);
}

export function buildReport(params: RunParams, b: Bounds, p2p: P2pOutcome, central: CentralOutcome | null) {
  const done = p2pTimes(p2p);
  const all = done.length === params.nodes;
  const tP2p = all ? max(done) : null;
  const cTimes = central ? [...central.perNode.values()].map((c) => c.seconds) : [];
  const tCentral = central && cTimes.length === params.nodes ? max(cTimes) : null;
  const ms = [...p2p.perNode.values()];
  const firstBytes = finite(ms.map((m) => m.firstByteS));
  const stalls = finite(ms.map((m) => m.lastPieceStallS));
  return {
    mode: params.mode,
    params: { ...params, fileMiB: round(params.fileBytes / 2 ** 20, 2) },
    T_p2p: r(tP2p),
    T_central: r(tCentral),
    T_min: r(b.tMin),
    'T_p2p/T_min': tP2p === null ? null : round(tP2p / b.tMin, 2),
    'T_central/T_p2p': tP2p === null || tCentral === null ? null : round(tCentral / tP2p, 2),
    'origin_bytes/F': round(p2p.originLinkUpBytes / params.fileBytes, 2),
    bounds: {
      T_min_terms: {
        server: r(b.terms.server),
        aggregate: r(b.terms.aggregate),
        download: r(b.terms.download),
      },
      binding: b.bindingTerm,
      T_central_bound: r(b.tCentral),
    },
    p2p: {
      completed: done.length,
      medianS: r(median(done)),
      lastS: r(tP2p),
      doneMeans: p2p.deployedS ? 'deployed (deploy script ran)' : 'downloaded and verified by Transmission',
      perNodeS: Object.fromEntries([...p2pDone(p2p)].map(([n, t]) => [n, r(t)])),
      downloadedMedianS: r(median(finite(ms.map((m) => m.doneS)))),
      originLinkUpBytes: p2p.originLinkUpBytes,
      originPayloadUpBytes: p2p.originPayloadUpBytes,
      'origin_payload_bytes/F': round(p2p.originPayloadUpBytes / params.fileBytes, 2),
      corruptBytes: p2p.corruptBytes,
      transmissionDelays: {
        originVerifiedS: r(p2p.originSeedingS),
        originFirstUploadS: r(p2p.originFirstUploadS),
        firstByteMedianS: r(median(firstBytes)),
        firstByteMaxS: r(max(firstBytes)),
        lastPieceStallMedianS: r(median(stalls)),
        lastPieceStallMaxS: r(max(stalls)),
        steadyMbitMedian: r(median(finite(ms.map((m) => m.steadyBps))) * 8e-6),
        medianMilestonesS: {
          firstByte: r(median(firstBytes)),
          p10: r(median(finite(ms.map((m) => m.p10S)))),
          p90: r(median(finite(ms.map((m) => m.p90S)))),
          p99: r(median(finite(ms.map((m) => m.p99S)))),
          downloaded: r(median(finite(ms.map((m) => m.doneS)))),
          ...(p2p.deployedS ? { deployed: r(median(done)) } : {}),
        },
      },
      cpu: p2p.cpu
        ? {
            ...p2p.cpu,
            transmissionCpuS: r(p2p.cpu.transmissionCpuS),
            managerCpuS: r(p2p.cpu.managerCpuS),
            natmCpuS: r(p2p.cpu.natmCpuS),
            wallS: r(p2p.cpu.wallS),
            'transmission cores (mean)': round(p2p.cpu.transmissionCpuS / p2p.cpu.wallS, 2),
          }
        : null,
      linkBytes: Object.fromEntries(p2p.links),
    },
    central: central
      ? {
          medianS: r(median(cTimes)),
          lastS: r(tCentral),
          perNodeS: Object.fromEntries([...central.perNode].map(([n, c]) => [n, r(c.seconds)])),
          originLinkUpBytes: central.originLinkUpBytes,
          'origin_bytes/F': round(central.originLinkUpBytes / params.fileBytes, 2),
        }
      : null,
  };
}

export type PropagationReport = ReturnType<typeof buildReport>;

export function reportChart(
  params: RunParams,
  b: Bounds,
  p2p: P2pOutcome,
  central: CentralOutcome | null,
): string {
  const mib = round(params.fileBytes / 2 ** 20, 1);
  return renderChart({
    title: `${mib} MiB to ${params.nodes} nodes (${params.nattedNodes} behind NAT), ${params.rateMbit} Mbit/s links`,
    xLabel: 'seconds after publish',
    yLabel: 'nodes done',
    series: [
      {
        label: `p2p-update (${params.mode === 'manager' ? 'manager, no natm' : params.mode})`,
        color: '#1f77b4',
        points: completionSteps(p2pTimes(p2p)),
        step: true,
      },
      ...(central
        ? [
            {
              label: 'central HTTP server (nginx)',
              color: '#d62728',
              points: completionSteps([...central.perNode.values()].map((c) => c.seconds)),
              step: true,
            },
          ]
        : []),
    ],
    markers: [
      { label: `T_min ${round(b.tMin, 1)} s`, x: b.tMin, color: '#2ca02c' },
      { label: `N·F/u_s ${round(b.tCentral, 1)} s`, x: b.tCentral, color: '#888' },
    ],
  });
}
