/**
 * The executor's deploy record, pure (docs/deploy-executor.md §Record): per URI the
 * highest version it has started to deploy (the anti-rollback floor that counts for
 * deploys, never lowered), the applied one, the one applied before it (kept for a
 * rollback, issue 18) and the deploy running now. Functions take a record and return a
 * new one; nothing here touches the disk.
 */
export interface Ref {
  readonly version: number;
  readonly infoHash: string;
}

export interface Running extends Ref {
  readonly startedAt: number;
  /** A rollback to this update (P2PU_ROLLBACK=1): the floor did not move (record-rollback.ts). */
  readonly rollback?: boolean;
  /** The work copy the deployer was given (its P2PU_FILE). */
  readonly file: string;
  /** Process group of a directly spawned deploy, once known. */
  readonly pgid: number | null;
  /** Transient systemd unit of a deploy started with systemd-run. */
  readonly unit: string | null;
}

/**
 * The health check's verdict on the applied update: `checking` while it runs (or when the
 * executor died during it: checked again at the next request), absent when the deployer
 * has no health check (or for updates applied before health checks existed).
 */
export type Health = 'checking' | 'ok' | 'failed';

export interface Applied extends Ref {
  readonly at: number;
  readonly health?: Health;
}

export interface UriDeploys {
  readonly floor: Ref | null;
  readonly applied: Applied | null;
  /** The last healthy update applied before `applied`: what a rollback goes back to. */
  readonly previous: Ref | null;
  readonly running: Running | null;
  /** The update rolled back last (never deployed again); absent: none. */
  readonly rolledBack?: Ref | null;
}

export interface DeployRecord {
  readonly schema: 1;
  readonly uris: Readonly<Record<string, UriDeploys>>;
}

import { rolledBackTo } from './record-rollback.ts';

export const EMPTY_RECORD: DeployRecord = { schema: 1, uris: {} };
const NONE: UriDeploys = { floor: null, applied: null, previous: null, running: null };

export type Judgement =
  | { readonly kind: 'already-applied' }
  | { readonly kind: 'rollback'; readonly reason: string }
  | { readonly kind: 'rolled-back'; readonly reason: string }
  | { readonly kind: 'run' };

export const same = (a: Ref | null | undefined, b: Ref): boolean =>
  a?.version === b.version && a.infoHash === b.infoHash;

/**
 * May `req` be deployed? The very update applied last: already done (exactly once). Below
 * the floor, or at the floor with other bytes: a rollback. The floor's own update again
 * (its last attempt failed or was interrupted), or anything higher: run it.
 */
export function judge(u: UriDeploys | undefined, req: Ref): Judgement {
  const r = u ?? NONE;
  if (same(r.applied, req)) return { kind: 'already-applied' };
  const rb = r.rolledBack;
  if (rb && req.version <= rb.version)
    return { kind: 'rolled-back', reason: `version ${req.version} was rolled back here (${rb.version})` };
  const f = r.floor;
  if (f === null || req.version > f.version || same(f, req)) return { kind: 'run' };
  const what = req.version === f.version ? `equals (with another infohash)` : 'is below';
  return {
    kind: 'rollback',
    reason: `version ${req.version} ${what} the highest deployed here, ${f.version}`,
  };
}

export function put(d: DeployRecord, uri: string, u: UriDeploys): DeployRecord {
  return { ...d, uris: { ...d.uris, [uri]: u } };
}

/** Before the deployer starts: the floor rises to `run`, which is recorded as running. */
export function started(d: DeployRecord, uri: string, run: Running): DeployRecord {
  const u = d.uris[uri] ?? NONE;
  return put(d, uri, { ...u, floor: { version: run.version, infoHash: run.infoHash }, running: run });
}

export function withRunning(d: DeployRecord, uri: string, patch: Partial<Running>): DeployRecord {
  const u = d.uris[uri];
  return u?.running ? put(d, uri, { ...u, running: { ...u.running, ...patch } }) : d;
}

/**
 * After the deployer ended: applied or not. The old applied becomes `previous` unless its
 * health check failed or never ended (a rollback goes back to a healthy update only).
 * `checked`: the deployer has a health check, which is to run now. A rollback that ended
 * is recorded by rolledBackTo (record-rollback.ts).
 */
export function finished(
  d: DeployRecord,
  uri: string,
  ok: boolean,
  now: number,
  checked = false,
): DeployRecord {
  const u = d.uris[uri];
  if (!u?.running) return d;
  if (u.running.rollback) return rolledBackTo(d, uri, ok, now, checked);
  const { version, infoHash } = u.running;
  if (!ok) return put(d, uri, { ...u, running: null });
  const a = u.applied;
  const previous =
    a === null || a.health === 'failed' || a.health === 'checking'
      ? u.previous
      : { version: a.version, infoHash: a.infoHash };
  const applied: Applied = { version, infoHash, at: now, ...(checked ? { health: 'checking' } : {}) };
  return put(d, uri, { ...u, applied, previous, running: null });
}

/** The health check's verdict on the applied update (nothing when another is applied now). */
export function healthOf(d: DeployRecord, uri: string, ref: Ref, health: Health): DeployRecord {
  const u = d.uris[uri];
  if (!u || !same(u.applied, ref) || u.applied!.health === health) return d;
  return put(d, uri, { ...u, applied: { ...u.applied!, health } });
}

/** Every deploy recorded as running (left by an executor that died). */
export function runningDeploys(d: DeployRecord): Array<[string, Running]> {
  return Object.entries(d.uris).flatMap(([uri, u]) =>
    u.running ? [[uri, u.running] as [string, Running]] : [],
  );
}
