/**
 * The fleet view a rollout gate is judged from (docs/rollouts.md §Gates), built from natm's
 * `members` reply (agent/lib/gossip/members-view.ts): one FleetRecord per member with a state
 * record, its outcome for the plan's update read off the record, and every member's status.
 * The reply is natm's, but each row is checked here field by field; a row that does not fit
 * is left out and counted (it then counts as a member not seen, never as a success).
 *   rolledBack[uri] = version                      → rolled back
 *   failed[uri] = version                          → failed
 *   applied[uri] ≥ version                         → applied
 *   current = uri@version, state failed            → failed
 *   current = uri@version, state rolled-back       → rolled back
 *   current = uri@version, state rollback-unhealthy → rolled back
 *   current = uri@version, verifying or deploying  → downloaded (waiting to install)
 * A record counts only if natm checked it is signed by the node it describes (`signed: true`,
 * gossip's isSignedBy: certificate mode). Without certificates no record is signed, so no
 * later wave's gate opens on successes (docs/rollouts.md §Gates): a member cannot speak for
 * another, and a cluster key alone does not tell them apart.
 */
import type { FleetRecord, FleetView, MemberStatus, Outcome } from '../lib/rollout/fleet.ts';
import type { RolloutPlan } from '../lib/rollout/plan.ts';
import { parseTagString, type Tags } from '../lib/rollout/tags.ts';

const STATUSES: readonly MemberStatus[] = ['alive', 'suspect', 'dead'];
const DOWNLOADED = new Set(['verifying-payload', 'deploying']);

type Row = Record<string, unknown>;
const isObj = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

function tagsOf(v: unknown): Tags | null {
  if (typeof v !== 'string') return null;
  try {
    return parseTagString(v);
  } catch {
    return null;
  }
}

/** `m[field][uri]` when it is a version, else undefined. */
function versionIn(m: Row, field: string, uri: string): number | undefined {
  const v = isObj(m[field]) ? m[field][uri] : undefined;
  return typeof v === 'number' ? v : undefined;
}

function outcomeOf(plan: RolloutPlan, m: Row): Outcome | null {
  // Rolled back and failed name the exact version; they win over a later applied one.
  if (versionIn(m, 'rolledBack', plan.uri) === plan.version) return 'rolled-back';
  if (versionIn(m, 'failed', plan.uri) === plan.version) return 'failed';
  const applied = isObj(m['applied']) ? m['applied'][plan.uri] : undefined;
  if (typeof applied === 'number' && applied >= plan.version) return 'applied';
  const c = m['current'];
  if (!isObj(c) || c['uri'] !== plan.uri || c['version'] !== plan.version) return null;
  if (c['state'] === 'failed') return 'failed';
  if (c['state'] === 'rolled-back' || c['state'] === 'rollback-unhealthy') return 'rolled-back';
  return typeof c['state'] === 'string' && DOWNLOADED.has(c['state']) ? 'downloaded' : null;
}

export interface BuiltFleet extends FleetView {
  readonly records: FleetRecord[];
  /** Rows left out: not an object, no id, unknown status. */
  readonly badRows: number;
}

export function fleetOf(plan: RolloutPlan, rows: readonly unknown[]): BuiltFleet {
  const records: FleetRecord[] = [];
  const members = new Map<string, MemberStatus>();
  let badRows = 0;
  for (const m of rows) {
    const status = isObj(m) ? m['status'] : undefined;
    if (status === 'gone' || status === 'unheard') continue; // not in the member table: not in the view
    if (!isObj(m) || typeof m['id'] !== 'string' || !STATUSES.includes(status as MemberStatus)) {
      badRows++;
      continue;
    }
    const id = m['id'];
    members.set(id, status as MemberStatus);
    const tags = tagsOf(m['tags']);
    if (typeof m['stateSeq'] !== 'number' || tags === null) continue;
    const o = outcomeOf(plan, m);
    records.push({
      node: id,
      signed: m['signed'] === true,
      tags,
      outcomes: new Map(o === null ? [] : [[plan.key, o]]),
    });
  }
  return { records, members, badRows };
}
