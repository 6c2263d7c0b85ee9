/**
 * This node's own fleet-view record: what its manager reported (`state`: applied versions,
 * current update; `hello`: agent version, BitTorrent port; `have`: infoHashes it holds or
 * fetches). Every change publishes a new record with seq = max(seq + 1, now ms) as a
 * broadcast (key `s:<node>`), so it also stays monotonic across restarts; with a RecordAuth
 * (certificates) it is signed by this node. `refresh` (every stateRefreshMs) re-publishes
 * it unchanged with a new seq, so the others never hold it longer than maxRecordAgeMs and a
 * forged record within the clock bound is overtaken (fleet-states.ts).
 */
import type { Clock } from '../common/clock.ts';
import type { BroadcastQueue } from './broadcast-queue.ts';
import { encodeItem } from './codec.ts';
import { fitState, stateBytes } from './codec-state.ts';
import type { FleetStates } from './fleet-states.ts';
import {
  sameHealth,
  UNKNOWN_HEALTH,
  UPDATE_CONDITIONS,
  type NodeHealth,
  type UpdateCondition,
} from './health.ts';
import { MAX_HAVE, type StateRecord } from './messages.ts';
import type { RecordAuth } from './record-auth.ts';

export interface LocalStateComponents {
  selfId: string;
  clock: Clock;
  fleet: FleetStates;
  queue: BroadcastQueue;
  auth?: RecordAuth;
}

/** What the manager reports: applied, current, and the failed and rolled-back versions. */
export type NodeOutcomes = Pick<StateRecord, 'applied' | 'current' | 'failed' | 'rolledBack'>;

export class LocalState {
  agentVersion: string;
  /** infoHash → complete (bounded by MAX_HAVE; the oldest goes first). */
  readonly have = new Map<string, boolean>();
  private state: NodeOutcomes | null = null;
  private btPort = 0;
  private tags = '';
  private health: NodeHealth = UNKNOWN_HEALTH;
  private updateConds: UpdateCondition[] = [];
  private seq = 0;

  constructor(
    private readonly c: LocalStateComponents,
    agentVersion: string,
  ) {
    this.agentVersion = agentVersion;
  }

  set(s: NodeOutcomes): StateRecord {
    this.state = {
      applied: { ...s.applied },
      current: s.current,
      ...(s.failed ? { failed: { ...s.failed } } : {}),
      ...(s.rolledBack ? { rolledBack: { ...s.rolledBack } } : {}),
    };
    return this.publish();
  }

  setHave(infoHash: string, complete: boolean): StateRecord {
    this.have.delete(infoHash);
    this.have.set(infoHash, complete);
    while (this.have.size > MAX_HAVE) this.have.delete(this.have.keys().next().value!);
    return this.publish();
  }

  setBtPort(port: number): void {
    this.btPort = port;
    if (this.state || this.have.size > 0) this.publish();
  }

  /** The node's tags (`k=v,k=v`, from the manager's hello); published at once if they changed. */
  setTags(tags: string): void {
    if (tags === this.tags) return;
    this.tags = tags;
    if (this.state || this.have.size > 0) this.publish();
  }

  /** natm's connectivity conditions or clock offset changed: publish them (if they did). */
  setHealth(h: NodeHealth): void {
    if (sameHealth(h, this.health)) return;
    this.health = { conditions: [...h.conditions], clockOffsetMs: h.clockOffsetMs };
    this.publish();
  }

  /** The manager's update conditions (health.ts UPDATE_CONDITIONS): published if they changed. */
  setUpdateConditions(c: readonly UpdateCondition[]): void {
    const next = UPDATE_CONDITIONS.filter((x) => c.includes(x));
    if (next.join() === this.updateConds.join()) return;
    this.updateConds = next;
    if (this.seq > 0) this.publish();
  }

  /** Re-publish the record (new seq) if there is one. */
  refresh(): void {
    if (this.seq > 0) this.publish();
  }

  private publish(): StateRecord {
    this.seq = Math.max(this.seq + 1, this.c.clock.now());
    const st = this.state ?? { applied: {}, current: null };
    const record = fitState({
      node: this.c.selfId,
      seq: this.seq,
      agentVersion: this.agentVersion,
      ...st,
      btPort: this.btPort,
      have: [...this.have.keys()],
      tags: this.tags,
      health: { ...this.health, conditions: [...this.health.conditions, ...this.updateConds] },
    });
    const sig = this.c.auth?.sign(stateBytes(record)) ?? null;
    this.c.fleet.own(record, sig);
    this.c.queue.push(`s:${record.node}`, encodeItem({ kind: 'state', record, sig }));
    return record;
  }
}
