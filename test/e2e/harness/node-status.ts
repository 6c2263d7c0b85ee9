/**
 * What a node says about itself: `p2p-update status --json` (the manager's store) and
 * what its deploy script wrote. Shapes follow agent/manager/status-view.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from './cluster.ts';
import { DEMO_URI } from './node-configs.ts';
import type { NodeName } from './plan.ts';
import { waitUntil } from './wait.ts';

export interface StatusRow {
  readonly uri: string;
  readonly applied: number | null;
  readonly highest: number;
  readonly state: string | null;
  readonly version: number | null;
  readonly progress: number | null;
  readonly lastError: string | null;
  /** What a rollout gate holds the deploy back for (deploying only). */
  readonly gate?: string | null;
  /** The highest version that failed here, and the highest rolled back. */
  readonly failed?: number | null;
  readonly rolledBack?: number | null;
}

export interface RefusalRow {
  readonly code: string;
  readonly reason: string;
  readonly source: string;
  readonly uri?: string;
  readonly version?: number;
}

export interface NodeStatus {
  readonly uris: StatusRow[];
  readonly refusals: RefusalRow[];
}

export async function status(c: Cluster, n: NodeName): Promise<NodeStatus> {
  return c.cliJson<NodeStatus>(n, ['status', '--json', '--config', c.layout[n].managerConfig]);
}

export function demoRow(s: NodeStatus): StatusRow | undefined {
  return s.uris.find((r) => r.uri === DEMO_URI);
}

/**
 * The current update of app:/opt/demo straight from the manager's store file (the file
 * `status` reads; always replaced whole). Cheap enough for the demo to poll.
 */
export function storeCurrent(
  c: Cluster,
  n: NodeName,
): { version: number; state: string; progress: number } | null {
  try {
    const d = JSON.parse(readFileSync(join(c.layout[n].stateDir, 'store.json'), 'utf8')) as {
      uris?: Record<string, { current?: { version: number; state: string; progress: number } | null }>;
    };
    return d.uris?.[DEMO_URI]?.current ?? null;
  } catch {
    return null;
  }
}

/** The version the deploy script last wrote as current on node n (null if none). */
export function currentDeployed(c: Cluster, n: NodeName): number | null {
  try {
    return Number(readFileSync(join(c.layout[n].deployDir, 'current'), 'utf8').trim());
  } catch {
    return null;
  }
}

/** Waits until every node in `nodes` deployed `version`; ms after start per node. */
export async function waitDeployed(
  c: Cluster,
  nodes: readonly NodeName[],
  version: number,
  timeoutMs: number,
): Promise<Record<string, number>> {
  const t0 = Date.now();
  const at: Record<string, number> = {};
  const wait = waitUntil(
    () =>
      `version ${version} deployed on ${nodes.join(', ')}; current: ${nodes.map((n) => `${n}=${currentDeployed(c, n)}`).join(' ')}`,
    () => {
      for (const n of nodes)
        if (at[n] === undefined && currentDeployed(c, n) === version) at[n] = Date.now() - t0;
      return nodes.every((n) => at[n] !== undefined);
    },
    timeoutMs,
    250,
  );
  await wait.catch(async (e: unknown) => {
    await c.snapshot(`v${version}-timeout`);
    throw e;
  });
  return at;
}
