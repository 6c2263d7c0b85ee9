/**
 * The fleet view a rollout is judged from (docs/rollouts.md §Gates): the state records a
 * node holds and the members it knows. The rollout code only reads it; the gossip layer
 * fills it. Only records signed by the node they describe count; the rest are ignored,
 * so a member cannot speak for another (issue 16, item 4).
 */
import type { Tags } from './tags.ts';

/** What a node says about one update (uri@version) in its own record. */
export type Outcome = 'downloaded' | 'applied' | 'failed' | 'rolled-back';

export type MemberStatus = 'alive' | 'suspect' | 'dead';

export interface FleetRecord {
  readonly node: string;
  /** True only when the record's signature was checked against the key of `node` itself. */
  readonly signed: boolean;
  readonly tags: Tags;
  /** The node's outcome per update, keyed by updateKey(uri, version). */
  readonly outcomes: ReadonlyMap<string, Outcome>;
}

export interface FleetView {
  /** At most one signed record per node (the newest); unsigned ones may be listed, and are ignored. */
  readonly records: Iterable<FleetRecord>;
  /** Every member known, with its status, including suspect and dead ones still remembered. */
  readonly members: ReadonlyMap<string, MemberStatus>;
}

/** `app:/opt/demo@7`: the version is the digits after the last `@`. */
export function updateKey(uri: string, version: number): string {
  return `${uri}@${version}`;
}
