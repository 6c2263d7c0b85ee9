/**
 * What the version store holds (docs/manager.md §State). Plain JSON, so that
 * `p2p-update status` can read the file without the daemon.
 */
import type { MetadataCode } from '../lib/common/errors.ts';
import type { RefusalCode as ExecutorRefusal } from '../lib/ipc/executor-protocol.ts';
import type { RolloutCode } from '../lib/rollout/errors.ts';
import type { RolloutPolicy } from '../lib/rollout/policy.ts';

export type UpdateState =
  | 'verified'
  | 'downloading'
  | 'verifying-payload'
  | 'deploying'
  | 'applied'
  | 'failed'
  /** Unhealthy after its deploy (or aborted by the admin): going back to the previous update. */
  | 'rolling-back'
  /** Rolled back: the previous update is applied again; this version is never accepted again. */
  | 'rolled-back'
  /**
   * Rolled back, but the restored previous update failed its health check too: the node stays
   * on it, unhealthy, and nothing further is tried (no rollback of a rollback).
   */
  | 'rollback-unhealthy';

export const UPDATE_STATES: readonly UpdateState[] = [
  'verified',
  'downloading',
  'verifying-payload',
  'deploying',
  'applied',
  'failed',
  'rolling-back',
  'rolled-back',
  'rollback-unhealthy',
];

/** The update a URI is working on: the highest accepted version. */
export interface UpdateRecord {
  readonly version: number;
  readonly infoHash: string;
  /** info.name: the payload's file name in its torrent's directory. */
  readonly name: string;
  /**
   * True: the torrent's directory is `downloadDir/<infoHash>/` (payload-dir.ts). Absent in
   * records written before per-torrent directories: the payload is `downloadDir/<name>`.
   */
  readonly ownDir?: boolean;
  readonly length: number;
  readonly sha256: string;
  /**
   * A directory payload's signed manifest, its canonical text (docs/protocol/
   * torrent-file-plus-plus.md §Directory payloads): `name` is then the torrent's top folder.
   */
  readonly manifest?: string;
  readonly state: UpdateState;
  /** Milliseconds since the epoch at which each state was (last) entered. */
  readonly at: Partial<Record<UpdateState, number>>;
  /** 0..1, last seen from Transmission. */
  readonly progress: number;
  readonly lastError: string | null;
  readonly deployAttempts: number;
  /** When the next deploy attempt may start (after a failure). */
  readonly nextAttemptAt: number | null;
  /**
   * Always null: deploys run in the deploy executor, which reaps its own leftovers.
   * (Kept so that stores written by earlier versions still read.)
   */
  readonly deployPid: number | null;
  /** The signed rollout policy (docs/rollouts.md); absent: installed as soon as it is here. */
  readonly rollout?: RolloutPolicy;
  /** While a rollout gate holds the deploy back: what it waits for (rollout-gate.ts). */
  readonly gate?: string | null;
}

export interface UriRecord {
  /** Highest version ever accepted: never lowered. */
  readonly highestAccepted: number;
  /** Highest version whose deploy exited 0, or null. */
  readonly applied: number | null;
  readonly appliedAt: number | null;
  readonly current: UpdateRecord | null;
  /** The highest version that failed here (deploy gave up, or health check failed); absent: none. */
  readonly failed?: number;
  /** The highest version rolled back here; absent: none (docs/rollouts.md §Health checks). */
  readonly rolledBack?: number;
}

/** Why a rollout control message was refused (agent/manager/intake-control.ts). */
export type ControlRefusal = RolloutCode | 'STALE_CONTROL' | 'CONTROL_FINAL';

/** Why an update (or a control message) was refused: by the manager's checks, or by the deploy executor's. */
export type RefusalCode = MetadataCode | ExecutorRefusal | ControlRefusal;

export interface Refusal {
  readonly at: number;
  readonly code: RefusalCode;
  readonly reason: string;
  /** inbox | natm | payload | executor */
  readonly source: string;
  readonly uri?: string;
  readonly version?: number;
  readonly infoHash?: string;
}

export interface StoreData {
  readonly schema: 1;
  readonly uris: Readonly<Record<string, UriRecord>>;
  /** Most recent first, at most MAX_REFUSALS. */
  readonly refusals: readonly Refusal[];
}

export const MAX_REFUSALS = 50;

export const EMPTY_STORE: StoreData = { schema: 1, uris: {}, refusals: [] };
