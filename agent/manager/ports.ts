/**
 * The narrow interfaces the manager core uses (STYLE.md rule 3). main.ts wires the
 * real adapters; unit tests may pass fakes.
 */
import type { AddResult } from '../lib/transmission/client.ts';
import type { DaemonTraits } from '../lib/transmission/daemon-traits.ts';
import type { TorrentProgress } from '../lib/transmission/progress.ts';
import type { ExecutorRequest, ExecutorResponse } from '../lib/ipc/executor-protocol.ts';
import type { TrustedRoot } from '../lib/trust/model.ts';
import type { RefusalCode } from './model.ts';

export interface TransmissionPort {
  add(metainfo: Uint8Array, downloadDir: string): Promise<AddResult>;
  get(infoHash: string): Promise<TorrentProgress | null>;
  ensureTracker(t: TorrentProgress, url: string): Promise<void>;
  start(infoHash: string): Promise<unknown>;
  stop(infoHash: string): Promise<unknown>;
  /** What the daemon's version does differently (optional: fakes may leave it out). */
  traits?(): Promise<DaemonTraits>;
  verify(infoHash: string): Promise<unknown>;
  reannounce(infoHash: string): Promise<unknown>;
  location(infoHash: string): Promise<{ downloadDir: string; name: string } | null>;
  remove(infoHash: string, deleteData: boolean): Promise<unknown>;
  setLocation(infoHash: string, dir: string): Promise<unknown>;
}

/**
 * The deploy executor (docs/protocol/executor.md): the one that decides which URIs are
 * accepted and the only one that deploys. ExecutorClient is the real adapter.
 */
export interface ExecutorPort {
  /** Whether a deployer accepts `uri`, and the highest version the executor deployed for it. */
  accepts(uri: string): Promise<{ accepted: boolean; highest: number | null }>;
  /**
   * null when `beforeSend` said no (the attempt is stale): nothing was asked. Aborting
   * `signal` ends the wait (the executor still finishes the deploy).
   */
  deploy(
    req: Extract<ExecutorRequest, { type: 'deploy' }>,
    beforeSend: () => Promise<boolean>,
    signal?: AbortSignal,
  ): Promise<ExecutorResponse | null>;
  /** A rollback of the update deployed last (issue 18); the same contract as `deploy`. */
  rollback(
    req: Extract<ExecutorRequest, { type: 'rollback' }>,
    beforeSend: () => Promise<boolean>,
    signal?: AbortSignal,
  ): Promise<ExecutorResponse | null>;
}

/** What the manager tells natm (docs/protocol/ipc.md §manager → natm). Never blocks. */
export interface NatmPort {
  relay(m: { id: string; uri: string; version: number; infoHash: string; torrent: Uint8Array }): void;
  verdict(m: { id: string; code: RefusalCode; reason: string }): void;
  have(infoHash: string, complete: boolean): void;
  state(): void;
}

export const NO_NATM: NatmPort = {
  relay: () => undefined,
  verdict: () => undefined,
  have: () => undefined,
  state: () => undefined,
};

/** The trusted root and the one way to move it forward (TrustState; docs/adr/0003-root-of-trust.md). */
export interface TrustPort {
  readonly root: TrustedRoot;
  /** The root chain to spread: the last accepted, or the anchor's; null with plain keys only. */
  readonly chain: Uint8Array | null;
  /** The persisted root chain file (handed to the deploy executor with each deploy); null before any. */
  readonly keptPath: string | null;
  /** Walks a root chain from the trusted root; persists, then trusts, a newer root. Throws MetadataError. */
  offer(raw: Uint8Array): Promise<{ readonly fresh: boolean; readonly version: number }>;
}

/** Plain keys fixed for good (tests): a chain is walked but nothing is kept. */
export function fixedTrust(root: TrustedRoot): TrustPort {
  return {
    root,
    chain: null,
    keptPath: null,
    offer: () => Promise.reject(new Error('fixedTrust: no root chain is taken')),
  };
}

/**
 * What the transfer steps tell the swarm watch (agent/manager/swarm/swarm-watch.ts):
 * a torrent was added, completed or got new peers; this node published it. Never blocks.
 */
export interface SwarmHooks {
  touch(infoHash: string): void;
  markOrigin(infoHash: string): void;
}

export const NO_SWARM: SwarmHooks = { touch: () => undefined, markOrigin: () => undefined };
