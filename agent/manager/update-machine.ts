/**
 * The update state machine, pure (docs/manager.md §States):
 *   verified → downloading → verifying-payload → deploying → applied | failed
 *   deploying (health check failed) | applied (admin's abort --rollback)
 *     → rolling-back → rolled-back | rollback-unhealthy | failed
 * Every function takes a record and `now` and returns a new record; nothing here
 * touches the disk, Transmission or a child process.
 */
import { encodeManifest } from '../lib/metainfo/manifest.ts';
import type { VerifiedUpdate } from '../lib/metainfo/model.ts';
import type { UpdateRecord, UpdateState, UriRecord } from './model.ts';

export type UpdateEvent =
  | { readonly type: 'download-started' }
  | { readonly type: 'progress'; readonly fraction: number }
  | { readonly type: 'transfer-error'; readonly error: string }
  | { readonly type: 'downloaded' }
  | { readonly type: 'payload-ok' }
  | { readonly type: 'payload-bad'; readonly error: string }
  | { readonly type: 'gate'; readonly line: string | null }
  | { readonly type: 'deploy-started' }
  | { readonly type: 'deploy-ok' }
  | { readonly type: 'deploy-failed'; readonly error: string; readonly retryAt: number | null }
  | { readonly type: 'give-up'; readonly error: string }
  /** The executor applied it, and its health check failed: roll back. */
  | { readonly type: 'unhealthy'; readonly error: string }
  /** The admin (abort --rollback) asks to roll an applied update back. */
  | { readonly type: 'rollback-requested'; readonly reason: string }
  | { readonly type: 'rollback-started' }
  | { readonly type: 'rollback-failed'; readonly error: string; readonly retryAt: number | null }
  /** Rolled back: `to` is the version applied again (null: none is known to the executor). */
  | { readonly type: 'rolled-back'; readonly to: number | null }
  /** Rolled back to `to`, whose health check then failed: the node stays there (no second rollback). */
  | { readonly type: 'rollback-unhealthy'; readonly to: number; readonly error: string };

/** Which state each event may be applied in, and the state it leads to (same = stays). */
const RULES: Record<UpdateEvent['type'], [from: readonly UpdateState[], to: UpdateState | 'same']> = {
  'download-started': [['verified'], 'downloading'],
  progress: [['downloading'], 'same'],
  'transfer-error': [['verified', 'downloading'], 'same'],
  downloaded: [['downloading'], 'verifying-payload'],
  'payload-ok': [['verifying-payload'], 'deploying'],
  'payload-bad': [['verifying-payload'], 'failed'],
  gate: [['deploying'], 'same'],
  'deploy-started': [['deploying'], 'same'],
  'deploy-ok': [['deploying'], 'applied'],
  'deploy-failed': [['deploying'], 'same'],
  'give-up': [['deploying', 'rolling-back'], 'failed'],
  unhealthy: [['deploying'], 'rolling-back'],
  'rollback-requested': [['applied'], 'rolling-back'],
  'rollback-started': [['rolling-back'], 'same'],
  'rollback-failed': [['rolling-back'], 'same'],
  'rolled-back': [['rolling-back'], 'rolled-back'],
  'rollback-unhealthy': [['rolling-back'], 'rollback-unhealthy'],
};

export class StateError extends Error {}

export function newUpdate(u: VerifiedUpdate, now: number): UpdateRecord {
  return {
    version: u.version,
    infoHash: u.infoHash,
    name: u.name,
    ownDir: true,
    length: u.length,
    sha256: Buffer.from(u.sha256).toString('hex'),
    state: 'verified',
    at: { verified: now },
    progress: 0,
    lastError: null,
    deployAttempts: 0,
    nextAttemptAt: null,
    deployPid: null,
    ...(u.rollout ? { rollout: u.rollout } : {}),
    ...(u.files ? { manifest: Buffer.from(encodeManifest(u.files)).toString('utf8') } : {}),
  };
}

/** The URI record after accepting `u` (the caller has decided: decide.ts). */
export function accepted(rec: UriRecord | undefined, u: VerifiedUpdate, now: number): UriRecord {
  const highestAccepted = Math.max(rec?.highestAccepted ?? 0, u.version);
  return {
    highestAccepted,
    applied: rec?.applied ?? null,
    appliedAt: rec?.appliedAt ?? null,
    current: newUpdate(u, now),
    ...(rec?.failed === undefined ? {} : { failed: rec.failed }),
    ...(rec?.rolledBack === undefined ? {} : { rolledBack: rec.rolledBack }),
  };
}

function apply(c: UpdateRecord, e: UpdateEvent): Partial<UpdateRecord> {
  switch (e.type) {
    case 'progress': // the transfer moves again: an earlier transfer error is over
      return { progress: Math.min(1, Math.max(0, e.fraction)), lastError: null };
    case 'transfer-error':
    case 'payload-bad':
    case 'give-up':
      return { lastError: e.error };
    case 'downloaded':
      return { progress: 1, lastError: null };
    case 'gate':
      return { gate: e.line };
    case 'deploy-started':
    case 'rollback-started':
      return { deployAttempts: c.deployAttempts + 1, nextAttemptAt: null, deployPid: null };
    case 'unhealthy':
      // Rollback attempts are counted afresh (deploy-policy.ts: the same limits).
      return { lastError: e.error, deployAttempts: 0, nextAttemptAt: null };
    case 'rollback-requested':
      return { lastError: e.reason, deployAttempts: 0, nextAttemptAt: null };
    case 'rollback-failed':
      return { lastError: e.error, nextAttemptAt: e.retryAt };
    case 'rollback-unhealthy':
      return { lastError: e.error, nextAttemptAt: null };
    case 'deploy-ok':
      return { lastError: null, deployPid: null };
    case 'deploy-failed':
      return { lastError: e.error, nextAttemptAt: e.retryAt, deployPid: null };
    default:
      return {};
  }
}

/**
 * The URI record after `event` for `version`. Returns null when `version` is no longer
 * the current update (a newer one was accepted meanwhile): the event is stale.
 * Throws StateError for an event the current state does not allow (a programming error).
 */
export function transition(rec: UriRecord, version: number, e: UpdateEvent, now: number): UriRecord | null {
  const c = rec.current;
  if (c === null || c.version !== version) return null;
  const [from, to] = RULES[e.type];
  if (!from.includes(c.state)) throw new StateError(`event ${e.type} is not allowed in state ${c.state}`);
  const state = to === 'same' ? c.state : to;
  const at = to === 'same' ? c.at : { ...c.at, [state]: now };
  const current: UpdateRecord = { ...c, ...apply(c, e), state, at };
  return { ...rec, ...uriFacts(rec, c, e, now), current };
}

/** What an event changes beside the current update: applied, failed, rolled back. */
function uriFacts(rec: UriRecord, c: UpdateRecord, e: UpdateEvent, now: number): Partial<UriRecord> {
  const v = c.version;
  const failed = Math.max(rec.failed ?? 0, v);
  switch (e.type) {
    case 'deploy-ok':
      return { applied: Math.max(rec.applied ?? 0, v), appliedAt: now };
    case 'unhealthy':
      return { failed };
    case 'give-up':
      return c.state === 'deploying' ? { failed } : {};
    case 'rolled-back':
    case 'rollback-unhealthy': {
      // The executor says which version is applied again (below v: the floor stays at v).
      const kept = rec.applied !== null && rec.applied < v ? rec.applied : null;
      const back = e.to !== null && e.to < v ? e.to : kept;
      return { rolledBack: Math.max(rec.rolledBack ?? 0, v), applied: back, appliedAt: now };
    }
    default:
      return {};
  }
}
