/**
 * What every manager step shares: the wired components and the one way to record a
 * state change (store first, then tell natm). A StoreError is fatal: the manager must
 * not act on a decision it could not write down.
 */
import type { Clock } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import type { ManagerConfig } from './config.ts';
import type { ManagerMetrics } from './metrics.ts';
import type { Refusal, UpdateRecord } from './model.ts';
import { payloadFileOf, torrentDirOf } from './payload-dir.ts';
import type { ExecutorPort, NatmPort, SwarmHooks, TransmissionPort, TrustPort } from './ports.ts';
import type { RolloutGate } from './rollout-gate.ts';
import type { VersionStore } from './store.ts';
import { withEvent } from './store-data.ts';
import type { UpdateEvent } from './update-machine.ts';

export interface Core {
  readonly store: VersionStore;
  readonly tx: TransmissionPort;
  readonly natm: NatmPort;
  readonly executor: ExecutorPort;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: ManagerConfig;
  /** The trusted root (TrustState): update keys, threshold, version ceilings. */
  readonly trust: TrustPort;
  readonly trackerUrl: () => string;
  /** Forced rechokes and origin shaping; absent: neither. */
  readonly swarm?: SwarmHooks;
  /** Asked before every deploy attempt of an update with a rollout policy. */
  readonly gate: RolloutGate;
  readonly metrics: ManagerMetrics;
}

/** The torrent's own download dir (`downloadDir/<infohash>`; older records: downloadDir). */
export function torrentDir(core: Core, c: Pick<UpdateRecord, 'infoHash' | 'ownDir'>): string {
  return torrentDirOf(core.config.transmission.downloadDir, c);
}

export function payloadPath(core: Core, c: Pick<UpdateRecord, 'infoHash' | 'name' | 'ownDir'>): string {
  return payloadFileOf(core.config.transmission.downloadDir, c);
}

/** Records `e` for `uri`@`version`. False when the version was superseded (stale event). */
export async function record(core: Core, uri: string, version: number, e: UpdateEvent): Promise<boolean> {
  let applied = false;
  await core.store.update((d) => {
    const next = withEvent(d, uri, version, e, core.clock.now());
    applied = next !== d;
    return next;
  });
  if (applied && e.type !== 'progress') {
    const c = core.store.uri(uri)?.current;
    core.log.info({ uri, version, event: e.type, state: c?.state }, 'update state');
  }
  if (applied) core.metrics.transition(e.type);
  if (applied) core.natm.state();
  return applied;
}

/** Writes a refusal down (the store keeps the last ones) and counts it. */
export async function recordRefusal(core: Core, r: Refusal): Promise<void> {
  core.metrics.refused(r.code, r.source);
  await core.store.addRefusal(r);
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return `${'code' in e ? `${String(e.code)}: ` : ''}${e.message}`;
  return String(e);
}
