/**
 * Gossip configuration (`init`): every field optional, defaults documented here and in
 * docs/protocol/gossip.md §Timers and bounds. Defaults follow memberlist's LAN profile
 * where one exists.
 */
export interface GossipInit {
  /** SWIM: one probe every probeIntervalMs (memberlist ProbeInterval 1 s). */
  probeIntervalMs: number;
  /** SWIM: wait this long for a direct ack before asking others (ProbeTimeout 500 ms). */
  probeTimeoutMs: number;
  /** SWIM: members asked to probe indirectly (IndirectChecks 3). */
  indirectChecks: number;
  /** Suspicion lasts suspicionMult · max(1, log10 N) · probeIntervalMs (SuspicionMult 4). */
  suspicionMult: number;
  /** Dead members are remembered this long (so stale gossip cannot re-add them): 15 min. */
  deadRetentionMs: number;
  /**
   * Above 2^32, a claim about a node heard from another counts only this far above what the
   * node itself last claimed (member-table.ts; docs/protocol/gossip.md §Incarnation bounds).
   */
  maxIncarnationStep: number;
  /** Gossip tick (GossipInterval 200 ms) and members gossiped to per tick (GossipNodes 3). */
  gossipIntervalMs: number;
  gossipFanout: number;
  /** Each broadcast is sent ceil(retransmitMult · log10(N+1)) times (RetransmitMult 4). */
  retransmitMult: number;
  /** Anti-entropy push-pull with a random live member (30 s, as memberlist PushPullInterval). */
  pushPullIntervalMs: number;
  /** Push-pull with a random dead member, to notice returns and heal partitions (serf: 30 s). */
  reconnectIntervalMs: number;
  /** Bounds. */
  maxMembers: number;
  maxBroadcasts: number;
  maxUris: number;
  maxStoreBytes: number;
  seenCacheSize: number;
  maxPendingProbes: number;
  /** Fetching (fetcher.ts, docs/protocol/gossip.md §Fetch scheduling). */
  maxActiveFetches: number;
  maxQueuedFetches: number;
  maxSources: number;
  /** Fetch attempts one holder serves us at once, and fetches that may name one holder. */
  maxActivePerSource: number;
  maxJobsPerSource: number;
  fetchWindow: number;
  chunkTimeoutMs: number;
  stallTimeoutMs: number;
  /** An attempt must deliver minFetchRate bytes/s on average after its first fetchGraceMs. */
  fetchGraceMs: number;
  minFetchRate: number;
  /** A holder that failed sits out sourcePenaltyMs · 2^(strikes − 1), at most maxSourcePenaltyMs. */
  sourcePenaltyMs: number;
  maxSourcePenaltyMs: number;
  /**
   * Fleet-view records (fleet-states.ts): one whose seq (the publisher's clock) is more than
   * maxRecordAheadMs ahead of ours or maxRecordAgeMs behind is refused; each node
   * re-publishes its own every stateRefreshMs.
   */
  maxRecordAheadMs: number;
  maxRecordAgeMs: number;
  stateRefreshMs: number;
  /** A notification handed up and neither relayed nor refused is forgotten after this. */
  offerTimeoutMs: number;
  /** Reported in this node's fleet-view state record. */
  agentVersion: string;
  /** Our clock is flagged as skewed when it is this far from our peers' median (clock-offsets.ts). */
  clockSkewMaxMs: number;
}

export const GOSSIP_DEFAULTS: Readonly<GossipInit> = Object.freeze({
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  deadRetentionMs: 15 * 60_000,
  maxIncarnationStep: 64,
  gossipIntervalMs: 200,
  gossipFanout: 3,
  retransmitMult: 4,
  pushPullIntervalMs: 30_000,
  reconnectIntervalMs: 30_000,
  maxMembers: 10_000,
  maxBroadcasts: 1024,
  maxUris: 64,
  maxStoreBytes: 64 * 1024 * 1024,
  seenCacheSize: 4096,
  maxPendingProbes: 64,
  maxActiveFetches: 4,
  maxQueuedFetches: 64,
  maxSources: 8,
  maxActivePerSource: 1,
  maxJobsPerSource: 16,
  fetchWindow: 8,
  chunkTimeoutMs: 500,
  stallTimeoutMs: 15_000,
  fetchGraceMs: 5000,
  minFetchRate: 8192,
  sourcePenaltyMs: 30_000,
  maxSourcePenaltyMs: 30 * 60_000,
  maxRecordAheadMs: 10 * 60_000,
  maxRecordAgeMs: 60 * 60_000,
  stateRefreshMs: 10 * 60_000,
  offerTimeoutMs: 60_000,
  agentVersion: '0.0.0',
  clockSkewMaxMs: 60_000,
});

import { ConfigError } from '../common/errors.ts';

export function resolveGossipInit(init: Partial<GossipInit> = {}): Readonly<GossipInit> {
  const out = { ...GOSSIP_DEFAULTS, ...init };
  for (const [k, v] of Object.entries(out))
    if (typeof v === 'number' && !(Number.isFinite(v) && v >= 0))
      throw new ConfigError(`gossip ${k}: expected a non-negative number, got ${v}`);
  return Object.freeze(out);
}
